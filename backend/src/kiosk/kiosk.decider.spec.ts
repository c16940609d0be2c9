// The kiosk registry: registered with a one-time activation code (hash only), activated once within its lifetime by
// the device (token hash only), revoked. Wrong, expired and used codes and revoked kiosks are refused and recorded.
import { describe, expect, it } from '@jest/globals';
import { deciderSpec } from '../shared/testing/decider-spec';
import { type ActivateKiosk, kioskDecider, type RegisterKiosk } from './kiosk.decider';
import { KIOSK_EVENT_SCHEMA_VERSIONS, KIOSK_REASONS, type KioskEvent, upcastKioskEvent } from './kiosk.events';

const spec = deciderSpec(kioskDecider, { schemaVersions: KIOSK_EVENT_SCHEMA_VERSIONS });
const T0 = new Date('2030-01-01T09:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const ada = { storeId: 'ad', userId: 'ada', displayName: 'Ada Admin' };

const register = (overrides: Partial<RegisterKiosk> = {}): RegisterKiosk => ({
  type: 'RegisterKiosk',
  kioskId: 'k1',
  name: 'Lobby kiosk',
  location: 'Building A, ground floor',
  storeId: 'ad',
  activationCodeHash: 'otc.v1.right',
  activationHours: 24,
  by: ada,
  now: T0,
  ...overrides,
});
const activate = (overrides: Partial<ActivateKiosk> = {}): ActivateKiosk => ({
  type: 'ActivateKiosk',
  activationCodeHash: 'otc.v1.right',
  deviceTokenHash: 'device-hash',
  now: at(60),
  ...overrides,
});

const registered: KioskEvent = {
  type: 'KioskRegistered',
  data: {
    kioskId: 'k1',
    name: 'Lobby kiosk',
    location: 'Building A, ground floor',
    storeId: 'ad',
    activationCodeHash: 'otc.v1.right',
    activationExpiresAt: at(24 * 3600).toISOString(),
    by: ada,
    at: T0.toISOString(),
  },
};
const activated: KioskEvent = {
  type: 'KioskActivated',
  data: { deviceTokenHash: 'device-hash', at: at(60).toISOString() },
};
const revoked: KioskEvent = {
  type: 'KioskRevoked',
  data: { by: ada, reason: 'Stolen', at: at(120).toISOString() },
};
const refused = (code: keyof typeof KIOSK_REASONS, when = at(60)): KioskEvent => ({
  type: 'KioskActivationRefused',
  data: { reasonCode: code as never, reason: KIOSK_REASONS[code], at: when.toISOString() },
});

describe('RegisterKiosk', () => {
  it('records the kiosk with the code hash and an expiry activationHours from now', () => {
    const { state } = spec.given([]).when(register()).then([registered]);
    expect(state).toMatchObject({ status: 'awaiting-activation', deviceTokenHash: null });
  });
  it('trims the name; an empty location is none', () => {
    spec
      .given([])
      .when(register({ name: '  Lobby kiosk ', location: ' ' }))
      .thenEvents((events) => expect(events[0]?.data).toMatchObject({ name: 'Lobby kiosk', location: null }));
  });
  it('refuses bad input naming the fields, recording nothing', () => {
    spec
      .given([])
      .when(register({ name: ' ', location: 'x'.repeat(121), storeId: '' }))
      .thenRefuses('kiosk.invalid', ['name', 'location', 'storeId']);
    spec
      .given([])
      .when(register({ name: 'x'.repeat(81) }))
      .thenRefuses('kiosk.invalid', ['name']);
  });
  it('refuses registering the same kiosk twice', () => {
    spec.given([registered]).when(register()).thenRefuses('kiosk.alreadyExists');
  });
});

describe('ActivateKiosk', () => {
  it('activates with the right code within its lifetime, recording only the device token hash', () => {
    const { state } = spec.given([registered]).when(activate()).then([activated]);
    expect(state).toMatchObject({
      status: 'active',
      deviceTokenHash: 'device-hash',
      activatedAt: at(60).toISOString(),
    });
  });
  it('refuses and records a wrong code', () => {
    spec
      .given([registered])
      .when(activate({ activationCodeHash: 'otc.v1.wrong' }))
      .then([refused('kiosk.activationWrong')]);
  });
  it('refuses and records an expired code (at the expiry instant)', () => {
    const when = at(24 * 3600);
    spec
      .given([registered])
      .when(activate({ now: when }))
      .then([refused('kiosk.activationExpired', when)]);
  });
  it('refuses and records a used code: one activation only', () => {
    const { state } = spec
      .given([registered, activated])
      .when(activate({ deviceTokenHash: 'other' }))
      .then([refused('kiosk.activationUsed')]);
    expect(state).toMatchObject({ deviceTokenHash: 'device-hash' });
  });
  it('refuses and records an activation of a revoked kiosk', () => {
    spec
      .given([registered, revoked])
      .when(activate())
      .then([refused('kiosk.revoked')]);
  });
  it('refuses an unknown kiosk without recording', () => {
    spec.given([]).when(activate()).thenRefuses('kiosk.notFound');
  });
});

describe('RevokeKiosk', () => {
  it('revokes an active kiosk with the reason', () => {
    const { state } = spec
      .given([registered, activated])
      .when({ type: 'RevokeKiosk', by: ada, reason: ' Stolen ', now: at(120) })
      .then([revoked]);
    expect(state).toMatchObject({ status: 'revoked', revokedAt: at(120).toISOString(), revokeReason: 'Stolen' });
  });
  it('revokes a kiosk awaiting activation (no reason: null)', () => {
    spec
      .given([registered])
      .when({ type: 'RevokeKiosk', by: ada, reason: null, now: at(120) })
      .then([{ type: 'KioskRevoked', data: { by: ada, reason: null, at: at(120).toISOString() } }]);
  });
  it('revoking twice changes nothing', () => {
    spec
      .given([registered, revoked])
      .when({ type: 'RevokeKiosk', by: ada, reason: null, now: at(200) })
      .thenNothing();
  });
  it('refuses an unknown kiosk and a reason over 200 characters', () => {
    spec
      .given([])
      .when({ type: 'RevokeKiosk', by: ada, reason: null, now: at(1) })
      .thenRefuses('kiosk.notFound');
    spec
      .given([registered])
      .when({ type: 'RevokeKiosk', by: ada, reason: 'x'.repeat(201), now: at(1) })
      .thenRefuses('kiosk.invalid', ['reason']);
  });
});

describe('kiosk events', () => {
  it('read back through the upcaster at version 1', () => {
    expect(upcastKioskEvent({ type: 'KioskActivated', data: activated.data, schemaVersion: 1 })).toEqual(activated);
  });
});
