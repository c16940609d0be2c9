import { Controller, Get } from '@nestjs/common';
import type { AgentAccess } from './access.service';
import { CurrentAccess, RequirePermission } from './require-permission';
import { PERMISSIONS } from './role';

/**
 * `GET /api/session/access`: the signed-in agent's effective role and permissions, evaluated now, so the UI can
 * mirror the backend's rules (the backend still enforces every one). `notPermitted` gives the reason per permission.
 */
@Controller('session')
export class SessionAccessController {
  @Get('access')
  @RequirePermission()
  access(@CurrentAccess() access: AgentAccess) {
    const role = access.role;
    return {
      role: role
        ? {
            roleId: role.roleId,
            name: role.name,
            priority: role.priority,
            scope: role.scope,
            policy: role.policy,
            revision: role.revision,
          }
        : null,
      permissions: access.permissions,
      notPermitted: Object.fromEntries(
        PERMISSIONS.filter((p) => !access.can(p)).map((p) => [p, access.whyNot(p) as string]),
      ),
    };
  }
}
