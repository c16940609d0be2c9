import { BadRequestException, Controller, Get, Query, UseGuards } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { RequirePermission } from '../policy/require-permission';
import { SessionGuard } from '../session/session.guard';
import { commaList, queryBoolean } from '../shared/http/query-transforms';
import { DirectorySearchService, UnknownStoreError } from './directory-search.service';
import { SEARCH_FIELDS, type SearchField, type StoreCapabilities } from './identity-store';
import { IdentityStoreRegistry } from './identity-store.registry';
import { MAX_SEARCH_LIMIT } from './ldap-store.base';

export class DirectorySearchDto {
  @IsOptional()
  @IsString()
  @MaxLength(256)
  q?: string;

  @IsOptional()
  @Transform(commaList)
  @IsArray()
  @IsString({ each: true })
  stores?: string[];

  @IsOptional()
  @Transform(commaList)
  @IsArray()
  @IsIn(SEARCH_FIELDS, { each: true })
  fields?: SearchField[];

  @IsOptional()
  @IsIn(['exact', 'prefix', 'contains'])
  match?: 'exact' | 'prefix' | 'contains';

  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean()
  locked?: boolean;

  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value))
  @IsInt()
  @Min(1)
  @Max(MAX_SEARCH_LIMIT)
  limit?: number;
}

/**
 * Read-only directory endpoints. Deliberately thin: authentication, authorization (role scope) and auditing are
 * added around it by the session/role layer (a guard on this controller).
 */
@Controller('directory')
@UseGuards(SessionGuard)
export class DirectoryController {
  constructor(
    private readonly registry: IdentityStoreRegistry,
    private readonly search: DirectorySearchService,
  ) {}

  @Get('stores')
  stores(): { id: string; name: string; type: string; capabilities: StoreCapabilities }[] {
    return this.registry.list().map((s) => ({ id: s.id, name: s.name, type: s.type, capabilities: s.capabilities }));
  }

  // Searching people needs a helpdesk role (like GET /api/users); the store list above only needs a session.
  @RequirePermission('UnlockAccount', 'ViewHistory')
  @Get('search')
  async find(@Query() dto: DirectorySearchDto) {
    try {
      return await this.search.search({
        text: dto.q ?? '',
        stores: dto.stores,
        fields: dto.fields,
        match: dto.match,
        locked: dto.locked,
        limit: dto.limit,
      });
    } catch (err) {
      if (err instanceof UnknownStoreError) throw new BadRequestException(`stores: ${err.message}`);
      throw err;
    }
  }
}
