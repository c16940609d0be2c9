import { api } from '../../api/client';

/** Shapes of the Manage Kiosks routes (see the kiosk API contract, "Admin side"). */
export type KioskStatus = 'awaiting-activation' | 'active' | 'revoked';

export type KioskView = {
  kioskId: string;
  name: string;
  location: string | null;
  storeId: string;
  status: KioskStatus;
  registeredAt: string;
  activatedAt: string | null;
  revokedAt: string | null;
  lastSeenAt: string | null;
};

export type RegisterKiosk = { name: string; location?: string; storeId: string };

/** The activation code is in this answer only: the backend keeps its hash and never shows it again. */
export type KioskRegistered = { kiosk: KioskView; activationCode: string; activationExpiresAt: string };

const kioskPath = (kioskId: string) => `/kiosks/${encodeURIComponent(kioskId)}`;

export const kiosksApi = {
  list: () => api<{ kiosks: KioskView[] }>('GET', '/kiosks'),
  register: (body: RegisterKiosk) => api<KioskRegistered>('POST', '/kiosks', body),
  revoke: (kioskId: string, reason?: string) =>
    api<{ kiosk: KioskView }>('POST', `${kioskPath(kioskId)}/revoke`, reason ? { reason } : {}),
};
