import { Controller, ForbiddenException, Get, Optional, Param, Query } from '@nestjs/common';
import { ApiCookieAuth, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, MaxLength, Min } from 'class-validator';
import { IdentityStoreRegistry } from '../directory/identity-store.registry';
import type { AgentAccess } from '../policy/access.service';
import { CurrentAccess, RequirePermission } from '../policy/require-permission';
import { ALL_STORES } from '../policy/role';
import { personKey } from '../projections/helpdesk-facts';
import { CurrentSession } from '../session/session.guard';
import type { Session } from '../session/session-store';
import { HISTORY_PAGE_SCHEMA } from './history.schema';
import { type HistoryPage, HistoryService } from './history.service';
import { CURSOR_PATTERN } from './read-model-names';

export class HistoryQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'Cursor: `nextCursor` of the previous page (entries older than it)' })
  @IsOptional()
  @Matches(CURSOR_PATTERN, { message: 'before must be a cursor (nextCursor of the previous page)' })
  before?: string;
}

export class AccountParams {
  @MaxLength(128)
  storeId: string;

  @MaxLength(256)
  userId: string;
}

/** Per-user helpdesk history (View History) and per-agent history (View History, or the agent themself). */
@ApiTags('history')
@ApiCookieAuth('ud_session')
@Controller()
export class HistoryController {
  constructor(
    private readonly history: HistoryService,
    @Optional() private readonly stores?: IdentityStoreRegistry,
  ) {}

  @Get('users/:storeId/:userId/history')
  @RequirePermission('ViewHistory')
  @ApiOperation({ summary: 'Helpdesk history of one user: actions on and by the user, newest first' })
  @ApiOkResponse({ schema: HISTORY_PAGE_SCHEMA })
  async userHistory(
    @Param() p: AccountParams,
    @Query() q: HistoryQueryDto,
    @CurrentAccess() access: AgentAccess,
  ): Promise<HistoryPage> {
    await this.checkScope(access, p.storeId, p.userId);
    return this.history.page(p.storeId, p.userId, q);
  }

  /**
   * The role's scope applies to reading history too: its identity stores, and when it lists base DNs, the account's
   * place in the directory, read live (the history keeps no DN, and a user may have moved). An account the directory
   * cannot place (deleted, or a store without directory access) is outside an OU-scoped role; a directory that does
   * not answer gets 503 rather than a guess.
   */
  private async checkScope(access: AgentAccess, storeId: string, userId: string): Promise<void> {
    const outside = (message: string) => new ForbiddenException({ statusCode: 403, reason: 'scope', message });
    const role = access.role;
    const stores = role?.scope.storeIds ?? [];
    if (!stores.includes(ALL_STORES) && !stores.includes(storeId)) {
      throw outside(`Identity store ${storeId} is outside the scope of your role${role ? ` (${role.name})` : ''}`);
    }
    if (!role?.scope.baseDns?.length) return;
    const account = await this.stores?.get(storeId)?.getAccount(userId);
    if (!account) throw outside(`This account cannot be placed in the OUs your role (${role.name}) covers`);
    const why = access.whyNotInScope({ storeId, dn: account.dn });
    if (why) throw outside(why);
  }

  @Get('agents/:storeId/:userId/history')
  @RequirePermission()
  @ApiOperation({
    summary: "An agent's own actions (sign-ins included), newest first; View History or the agent themself",
  })
  @ApiOkResponse({ schema: HISTORY_PAGE_SCHEMA })
  agentHistory(
    @Param() p: AccountParams,
    @Query() q: HistoryQueryDto,
    @CurrentSession() session: Session,
    @CurrentAccess() access: AgentAccess,
  ): HistoryPage {
    const self = personKey(session.agent.storeId, session.agent.userId) === personKey(p.storeId, p.userId);
    if (!self && !access.can('ViewHistory')) {
      throw new ForbiddenException({
        statusCode: 403,
        reason: 'permission',
        message: access.whyNot('ViewHistory') ?? 'View History is required',
        required: ['ViewHistory'],
      });
    }
    return this.history.page(p.storeId, p.userId, { ...q, asActor: true });
  }
}
