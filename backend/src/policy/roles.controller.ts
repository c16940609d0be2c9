import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Put,
  Req,
  Res,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { roleIdFromName } from '../config/config.loader';
import { CurrentSession } from '../session/session.guard';
import type { Session } from '../session/session-store';
import { etag, parseIfMatch } from '../shared/http/errors';
import { agentRequestActor } from '../shared/http/request-metadata';
import { RequirePermission } from './require-permission';
import { CreateRoleDto, toDefinition } from './role.dto';
import {
  ChangeRoleCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  GetRoleQuery,
  ListRolesQuery,
  type RoleCommandResult,
} from './roles.commands';
import type { RoleView } from './roles.read-model';

/**
 * Roles and helpdesk policy. Reading: Manage Roles or View Audit; changing: Manage Roles. `GET /roles/:id` sends the
 * role's revision as `ETag`; `PUT`/`DELETE` take it back in `If-Match` (412 when the role changed meanwhile).
 */
@Controller('roles')
@RequirePermission('ManageRoles')
export class RolesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @RequirePermission('ManageRoles', 'ViewAudit')
  list(): Promise<RoleView[]> {
    return this.queries.execute(new ListRolesQuery());
  }

  @Get(':id')
  @RequirePermission('ManageRoles', 'ViewAudit')
  async get(@Param('id') id: string, @Res({ passthrough: true }) res: Response): Promise<RoleView> {
    const role: RoleView | undefined = await this.queries.execute(new GetRoleQuery(id));
    if (!role) throw notFound(id);
    res.setHeader('ETag', etag(role.revision));
    return role;
  }

  @Post()
  async create(
    @Body() dto: CreateRoleDto,
    @CurrentSession() session: Session,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RoleView | undefined> {
    const roleId = dto.roleId ?? roleIdFromName(dto.name);
    const result: RoleCommandResult = await this.commands.execute(
      new CreateRoleCommand(roleId, toDefinition(dto), agentRequestActor(session.agent, req)),
    );
    if (result.role) {
      res.setHeader('ETag', etag(result.role.revision));
      res.setHeader('Location', `/api/roles/${encodeURIComponent(roleId)}`);
    }
    return result.role;
  }

  @Put(':id')
  async change(
    @Param('id') id: string,
    @Body() dto: CreateRoleDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentSession() session: Session,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RoleView | undefined> {
    if (dto.roleId !== undefined && dto.roleId !== id) {
      throw new BadRequestException({
        statusCode: 400,
        reason: 'role.invalid',
        message: ['roleId must match the role in the path (a role id cannot be changed)'],
        fields: [{ field: 'roleId', message: 'must match the role in the path' }],
      });
    }
    const expected = parseIfMatch(ifMatch);
    const result: RoleCommandResult = await this.commands.execute(
      new ChangeRoleCommand(id, toDefinition(dto), expected, agentRequestActor(session.agent, req)),
    );
    if (result.role) res.setHeader('ETag', etag(result.role.revision));
    return result.role;
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentSession() session: Session,
    @Req() req: Request,
  ): Promise<void> {
    const expected = parseIfMatch(ifMatch);
    await this.commands.execute(new DeleteRoleCommand(id, expected, agentRequestActor(session.agent, req)));
  }
}

const notFound = (id: string) =>
  new NotFoundException({ statusCode: 404, reason: 'role.notFound', message: `There is no role ${id}` });
