/**
 * `@RequirePermission(...)` on a controller or handler: the signed-in agent's role must have at least one of the
 * listed permissions, else 403 `{ reason: 'permission', message: 'Your role (X) lacks Unlock Account' }`.
 * The guard runs the SessionGuard itself when it has not run yet (401 without a session, 403 csrf), so it works
 * whatever order guards are declared in. The evaluated access is left on the request for `@CurrentAccess()`.
 */
import {
  applyDecorators,
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type AuthenticatedRequest, SessionGuard } from '../session/session.guard';
import { AccessService, type AgentAccess, NO_ROLE_MESSAGE, permissionLabel } from './access.service';
import type { Permission } from './role';

export const REQUIRED_PERMISSIONS = 'unlockdesk:requiredPermissions';

export type AccessRequest = AuthenticatedRequest & { access?: AgentAccess };

/** Any one of `permissions` suffices (a method's list replaces its class's). */
export const RequirePermission = (...permissions: Permission[]) =>
  applyDecorators(SetMetadata(REQUIRED_PERMISSIONS, permissions), UseGuards(PermissionGuard));

@Injectable()
export class PermissionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessionGuard: SessionGuard,
    private readonly access: AccessService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AccessRequest>();
    if (!req.session) await this.sessionGuard.canActivate(context);
    const required =
      this.reflector.getAllAndOverride<Permission[] | undefined>(REQUIRED_PERMISSIONS, [
        context.getHandler(),
        context.getClass(),
      ]) ?? [];
    const access = await this.access.forAgent(req.session.agent);
    req.access = access;
    if (required.length === 0 || required.some((p) => access.can(p))) return true;
    const message = access.role
      ? `Your role (${access.role.name}) lacks ${required.map(permissionLabel).join(' or ')}`
      : NO_ROLE_MESSAGE;
    throw new ForbiddenException({ statusCode: 403, reason: 'permission', message, required });
  }
}

/** The agent's access as evaluated by PermissionGuard for this request. */
export const CurrentAccess = createParamDecorator((_: unknown, ctx: ExecutionContext): AgentAccess => {
  const access = ctx.switchToHttp().getRequest<AccessRequest>().access;
  if (!access) throw new Error('@CurrentAccess() needs @RequirePermission(...) on the route or its controller');
  return access;
});
