import type { KioskStatus, RegisterKiosk } from './api';

export const kioskStatusLabel: Record<KioskStatus, string> = {
  'awaiting-activation': 'Awaiting activation',
  active: 'Active',
  revoked: 'Revoked',
};

/** Filled badges: white text on these shades reads at WCAG AA (as the lock-state badges). */
export const kioskStatusColor: Record<KioskStatus, string> = {
  'awaiting-activation': 'blue.9',
  active: 'teal.9',
  revoked: 'gray.7',
};

/** The API's input limits, so the administrator hears about them before sending (the backend checks again). */
export const KIOSK_LIMITS = { nameMax: 80, locationMax: 120, reasonMax: 200 } as const;

export type KioskForm = { name: string; location: string; storeId: string | null };

/** The form's problems by field (empty when it can be sent). */
export function kioskFormErrors(f: KioskForm): Partial<Record<keyof KioskForm, string>> {
  const errors: Partial<Record<keyof KioskForm, string>> = {};
  if (!f.name.trim()) errors.name = 'Give the kiosk a name';
  else if (f.name.trim().length > KIOSK_LIMITS.nameMax) errors.name = `At most ${KIOSK_LIMITS.nameMax} characters`;
  if (f.location.trim().length > KIOSK_LIMITS.locationMax)
    errors.location = `At most ${KIOSK_LIMITS.locationMax} characters`;
  if (!f.storeId) errors.storeId = 'Choose the identity store of the people who use this kiosk';
  return errors;
}

export function registerRequest(f: KioskForm): RegisterKiosk {
  const location = f.location.trim();
  return { name: f.name.trim(), ...(location ? { location } : {}), storeId: f.storeId ?? '' };
}
