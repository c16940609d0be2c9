import { ApiError, api, setCsrfToken } from '../../api/client';

export type KioskIdentity = { kioskId: string; name: string };
type DeviceView = { kiosk: KioskIdentity; csrfToken: string };

/** What GET /api/kiosk/device says about this browser: an active kiosk, or why not. */
export type DeviceState =
  | { status: 'active'; kiosk: KioskIdentity }
  | { status: 'not-activated' }
  | { status: 'revoked' };

/** The device refusals every kiosk route can answer with (401): the screen switches to set-up / switched off. */
export function deviceRefusal(error: unknown): 'not-activated' | 'revoked' | null {
  if (!(error instanceof ApiError) || error.status !== 401) return null;
  if (error.reason === 'kiosk.revoked') return 'revoked';
  if (error.reason === 'kiosk.notActivated') return 'not-activated';
  return null;
}

export const deviceApi = {
  async current(): Promise<DeviceState> {
    try {
      const d = await api<DeviceView>('GET', '/kiosk/device');
      setCsrfToken(d.csrfToken);
      return { status: 'active', kiosk: d.kiosk };
    } catch (e) {
      const refusal = deviceRefusal(e) ?? (e instanceof ApiError && e.status === 401 ? 'not-activated' : null);
      if (!refusal) throw e;
      setCsrfToken(undefined);
      return { status: refusal };
    }
  },
  async activate(code: string): Promise<KioskIdentity> {
    const d = await api<DeviceView>('POST', '/kiosk/activate', { code });
    setCsrfToken(d.csrfToken);
    return d.kiosk;
  },
};
