import { Global, Module } from '@nestjs/common';
import { AccessService } from './access.service';
import { PermissionGuard } from './require-permission';
import { RolesBootstrap } from './roles.bootstrap';
import { ROLE_HANDLERS } from './roles.commands';
import { RolesController } from './roles.controller';
import { RolesReadModel } from './roles.read-model';
import { SessionAccessController } from './session-access.controller';

/**
 * Roles and helpdesk policy: the roles API, the `roles` read model, bootstrap roles from the configuration, and
 * AccessService + PermissionGuard for every other controller (`@RequirePermission(...)`). Global.
 * Needs (global): APP_CONFIG, EVENT_STORE + ProjectionHost (with `rolesProjection` registered), SessionGuard,
 * and CqrsModule.forRoot().
 */
@Global()
@Module({
  controllers: [RolesController, SessionAccessController],
  providers: [RolesReadModel, AccessService, PermissionGuard, RolesBootstrap, ...ROLE_HANDLERS],
  exports: [RolesReadModel, AccessService, PermissionGuard],
})
export class PolicyModule {}
