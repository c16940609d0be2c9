import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
} from '@nestjs/common';
import type { Request } from 'express';
import { readCookie } from '../session/cookies';
import { type KioskDevice, KioskService } from './kiosk.service';
import { KIOSK_COOKIE, KIOSK_CSRF_HEADER, sameSecret } from './kiosk-device';

export type KioskRequest = Request & { kiosk: KioskDevice };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Requires an activated, unrevoked kiosk device (the `ud_kiosk` cookie: 401 `kiosk.notActivated` / `kiosk.revoked`)
 * and, for state changes, its CSRF token in `X-Kiosk-CSRF` (403 `kiosk.csrf`). No agent session is involved.
 */
@Injectable()
export class KioskDeviceGuard implements CanActivate {
  constructor(private readonly kiosks: KioskService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<KioskRequest>();
    const device = await this.kiosks.device(readCookie(req, KIOSK_COOKIE));
    if (!SAFE_METHODS.has(req.method) && !sameSecret(req.headers[KIOSK_CSRF_HEADER], device.csrfToken)) {
      throw new ForbiddenException({
        statusCode: 403,
        reason: 'kiosk.csrf',
        message: 'Missing or wrong X-Kiosk-CSRF header.',
      });
    }
    req.kiosk = device;
    return true;
  }
}

/** The kiosk device of a request guarded by KioskDeviceGuard. */
export const CurrentKiosk = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): KioskDevice => ctx.switchToHttp().getRequest<KioskRequest>().kiosk,
);
