import {
  Body,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Req,
} from '@nestjs/common';
import type { Request } from 'express';
import { IdentityStoreRegistry } from '../directory/identity-store.registry';
import type { AgentAccess } from '../policy/access.service';
import { CurrentAccess, RequirePermission } from '../policy/require-permission';
import { CurrentSession } from '../session/session.guard';
import type { Session } from '../session/session-store';
import { agentRequestActor } from '../shared/http/request-metadata';
import { EnrollmentImport, type ImportSummary } from './enrollment.import';
import { EnrollmentService, type EnrollmentView } from './enrollment.service';

@Controller()
export class EnrollmentController {
  constructor(
    private readonly enrollments: EnrollmentService,
    private readonly importer: EnrollmentImport,
    private readonly registry: IdentityStoreRegistry,
  ) {}

  /** Bulk import (Manage Roles). 200 with a result per row; 400 (nothing recorded) when any row is invalid. */
  @Post('enrollments/import')
  @HttpCode(200)
  @RequirePermission('ManageRoles')
  import(@Body() rows: unknown, @CurrentSession() session: Session, @Req() req: Request): Promise<ImportSummary> {
    return this.importer.run(rows, agentRequestActor(session.agent, req));
  }

  /**
   * A user's enrollment as agents may see it: types, question texts, masked e-mail/phone and where each comes from
   * (`import`, `kiosk`, `directory`…). Never answers, hashes or secrets. The user must be in the agent's scope.
   */
  @Get('users/:storeId/:userId/enrollment')
  @RequirePermission('UnlockAccount', 'ManageRoles')
  async get(
    @Param('storeId') storeId: string,
    @Param('userId') userId: string,
    @CurrentAccess() access: AgentAccess,
  ): Promise<EnrollmentView> {
    const store = this.registry.get(storeId);
    if (!store)
      throw new NotFoundException({
        statusCode: 404,
        reason: 'store.notFound',
        message: `No identity store ${storeId}`,
      });
    const account = await store.getAccount(userId);
    if (!account) throw new NotFoundException({ statusCode: 404, reason: 'user.notFound', message: 'No such user' });
    const why = access.whyNotInScope(account);
    if (why) throw new ForbiddenException({ statusCode: 403, reason: 'scope', message: why });
    return this.enrollments.view(storeId, account.id, account);
  }
}
