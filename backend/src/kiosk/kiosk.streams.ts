import type { StreamDecider } from '../event-store/handle';
import { type KioskCommand, type KioskState, kioskDecider } from './kiosk.decider';
import {
  KIOSK_EVENT_SCHEMA_VERSIONS,
  KIOSK_SESSION_EVENT_SCHEMA_VERSIONS,
  type KioskEvent,
  type KioskSessionEvent,
  upcastKioskEvent,
  upcastKioskSessionEvent,
} from './kiosk.events';
import { type KioskSessionCommand, type KioskSessionState, kioskSessionDecider } from './kiosk-session.decider';

/** The kiosk deciders with their event versions, as handle() runs them. */
export const KIOSK_DECIDER: StreamDecider<KioskCommand, KioskEvent, KioskState> = {
  ...kioskDecider,
  schemaVersions: KIOSK_EVENT_SCHEMA_VERSIONS,
  upcast: upcastKioskEvent,
};

export const KIOSK_SESSION_DECIDER: StreamDecider<KioskSessionCommand, KioskSessionEvent, KioskSessionState> = {
  ...kioskSessionDecider,
  schemaVersions: KIOSK_SESSION_EVENT_SCHEMA_VERSIONS,
  upcast: upcastKioskSessionEvent,
};
