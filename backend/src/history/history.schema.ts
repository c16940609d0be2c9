import type { OpenAPIObject } from '@nestjs/swagger';

type SchemaObject = Exclude<NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>[string], { $ref: string }>;

/** OpenAPI schemas of the history and audit responses (hand-written: the entries are plain read-model rows). */
const nullableString: SchemaObject = { type: 'string', nullable: true };

const ENTRY_PROPERTIES: Record<string, SchemaObject> = {
  position: { type: 'string', description: 'Global position in the event log (decimal string)' },
  eventId: { type: 'string' },
  type: { type: 'string', description: 'Event type, e.g. AccountUnlocked' },
  time: { type: 'string', format: 'date-time' },
  action: { type: 'string', description: 'Stable action code, e.g. unlock.succeeded, verification.securityQuestion' },
  summary: {
    type: 'string',
    description: 'Readable sentence, e.g. "Hanna Agent unlocked Carol Jones in Corp AD (read back: not locked)"',
  },
  actor: {
    type: 'object',
    nullable: true,
    properties: {
      id: { type: 'string', description: '<storeId>:<userId>, system, anonymous:<ip>' },
      displayName: nullableString,
    },
  },
  storeId: nullableString,
  storeName: nullableString,
  authenticationTypes: {
    type: 'array',
    items: { type: 'string' },
    description: 'securityQuestions, authenticator, email, phone, password',
  },
  outcome: { type: 'string', nullable: true, enum: ['success', 'failure', 'refused', 'requested', 'locked', null] },
  reasonCode: nullableString,
  reason: nullableString,
  caseId: nullableString,
  ticket: nullableString,
  comment: nullableString,
  client: nullableString,
  ip: nullableString,
  userAgent: nullableString,
  correlationId: nullableString,
  details: {
    type: 'object',
    additionalProperties: true,
    description: 'readBack, linked, question, channel, destination (masked)…',
  },
};

export const HISTORY_PAGE_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          ...ENTRY_PROPERTIES,
          subject: {
            type: 'object',
            nullable: true,
            properties: {
              key: { type: 'string' },
              storeId: nullableString,
              userId: nullableString,
              displayName: nullableString,
            },
          },
        },
      },
    },
    nextCursor: { type: 'string', nullable: true, description: 'Pass as `before` for the next page' },
  },
};

export const AUDIT_ENTRY_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    ...ENTRY_PROPERTIES,
    seq: { type: 'integer', description: 'Position in the hash chain, 1, 2, 3…' },
    stream: { type: 'string' },
    subject: { type: 'object', nullable: true, properties: { key: { type: 'string' }, displayName: nullableString } },
    causationId: nullableString,
    data: { description: 'Event data (protected values redacted to their SHA-256)' },
    metadata: { type: 'object', additionalProperties: true },
    prevHash: { type: 'string' },
    hash: {
      type: 'string',
      description: 'sha256(prevHash + canonical JSON of {position,id,type,stream,time,data,metadata})',
    },
  },
};

export const AUDIT_PAGE_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    items: { type: 'array', items: AUDIT_ENTRY_SCHEMA },
    nextCursor: { type: 'string', nullable: true, description: 'Pass as `cursor` for the next (older) page' },
  },
};
