import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import type { EventMetadata } from '../../event-store/event-store';
import type { Agent } from '../../session/agent-directory';
import { agentActor } from '../../session/sign-in-events';

/** Who did it and from where: the metadata every event recorded for an agent's request carries. */
export type RequestActor = {
  actor: string;
  actorName?: string;
  client: string;
  /** The walk-up kiosk the request came from (client `kiosk`). */
  kioskId?: string;
  ip: string;
  userAgent: string;
  correlationId: string;
};

export function agentRequestActor(agent: Pick<Agent, 'storeId' | 'userId' | 'username'>, req: Request): RequestActor {
  const header = req.get('x-correlation-id');
  return {
    actor: agentActor(agent),
    actorName: agent.username,
    client: 'admin',
    ip: req.ip ?? 'unknown',
    userAgent: req.get('user-agent') ?? '',
    correlationId: header && /^[A-Za-z0-9._-]{1,100}$/.test(header) ? header : randomUUID(),
  };
}

export const SYSTEM_ACTOR: RequestActor = {
  actor: 'system',
  client: 'system',
  ip: '',
  userAgent: '',
  correlationId: '',
};

export function eventMetadata(actor: RequestActor): EventMetadata {
  const { correlationId, ...rest } = actor;
  return { ...rest, ...(correlationId ? { correlationId } : { correlationId: randomUUID() }) };
}
