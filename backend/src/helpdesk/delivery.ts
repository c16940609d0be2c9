/**
 * Out-of-band messages of a case, recorded in their own stream `delivery-<caseId>` (the case decider stays about the
 * case): a verification code that could not be delivered, and the unlock notice to the user (intent, then outcome).
 * Nothing secret: no code, no message body; addresses masked.
 *
 * The unlock notice is idempotent per unlock request (Idempotency-Key): a retried unlock finds the recorded notice
 * and neither sends it again nor records it again.
 */

import type { DomainEvent } from '../shared/decider';
import { type Decider, refuse } from '../shared/decider';
import { createUpcaster, type SchemaVersions } from '../shared/events';

export const deliveryStreamId = (caseId: string) => `delivery-${caseId}`;

type Subject = { storeId: string; userId: string };
type At = { at: string };

export type VerificationCodeDeliveryFailed = DomainEvent<
  'VerificationCodeDeliveryFailed',
  {
    caseId: string;
    subject: Subject;
    codeId: string;
    channel: 'email' | 'phone';
    maskedDestination: string;
    reasonCode: string;
    reason: string;
  } & At
>;
export type UnlockNoticeRequested = DomainEvent<
  'UnlockNoticeRequested',
  { caseId: string; subject: Subject; idempotencyKey: string; maskedDestination: string; accounts: string[] } & At
>;
export type UnlockNoticeSent = DomainEvent<
  'UnlockNoticeSent',
  { caseId: string; subject: Subject; idempotencyKey: string; maskedDestination: string } & At
>;
export type UnlockNoticeFailed = DomainEvent<
  'UnlockNoticeFailed',
  {
    caseId: string;
    subject: Subject;
    idempotencyKey: string;
    maskedDestination: string;
    reasonCode: string;
    reason: string;
  } & At
>;
export type DeliveryEvent =
  | VerificationCodeDeliveryFailed
  | UnlockNoticeRequested
  | UnlockNoticeSent
  | UnlockNoticeFailed;

export const DELIVERY_EVENT_SCHEMA_VERSIONS: SchemaVersions<DeliveryEvent['type']> = {
  VerificationCodeDeliveryFailed: 1,
  UnlockNoticeRequested: 1,
  UnlockNoticeSent: 1,
  UnlockNoticeFailed: 1,
};
export const upcastDeliveryEvent = createUpcaster<DeliveryEvent>(DELIVERY_EVENT_SCHEMA_VERSIONS);

export type NoticeStatus =
  | { status: 'pending'; to: string }
  | { status: 'sent'; to: string }
  | { status: 'failed'; to: string; reasonCode: string; reason: string };

export type DeliveryState = { notices: Record<string, NoticeStatus> };

/** Records facts that happened outside (the handler sent or failed to send); refuses a notice recorded twice. */
export type RecordDelivery = { type: 'RecordDelivery'; event: DeliveryEvent };

export const deliveryDecider: Decider<RecordDelivery, DeliveryEvent, DeliveryState> & {
  schemaVersions: typeof DELIVERY_EVENT_SCHEMA_VERSIONS;
  upcast: typeof upcastDeliveryEvent;
} = {
  schemaVersions: DELIVERY_EVENT_SCHEMA_VERSIONS,
  upcast: upcastDeliveryEvent,
  initialState: () => ({ notices: {} }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'VerificationCodeDeliveryFailed':
        return state;
      case 'UnlockNoticeRequested':
        return {
          notices: {
            ...state.notices,
            [event.data.idempotencyKey]: { status: 'pending', to: event.data.maskedDestination },
          },
        };
      case 'UnlockNoticeSent':
        return {
          notices: {
            ...state.notices,
            [event.data.idempotencyKey]: { status: 'sent', to: event.data.maskedDestination },
          },
        };
      case 'UnlockNoticeFailed':
        return {
          notices: {
            ...state.notices,
            [event.data.idempotencyKey]: {
              status: 'failed',
              to: event.data.maskedDestination,
              reasonCode: event.data.reasonCode,
              reason: event.data.reason,
            },
          },
        };
    }
  },
  decide: ({ event }, state) => {
    if (event.type === 'UnlockNoticeRequested' && state.notices[event.data.idempotencyKey]) {
      refuse('notice.alreadyRequested', 'The unlock notice for this request was already recorded');
    }
    if (
      (event.type === 'UnlockNoticeSent' || event.type === 'UnlockNoticeFailed') &&
      state.notices[event.data.idempotencyKey]?.status !== 'pending'
    ) {
      return [];
    }
    return [event];
  },
};
