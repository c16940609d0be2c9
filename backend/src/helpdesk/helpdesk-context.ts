import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import type { EventMetadata } from '../event-store/event-store';
import type { Agent } from '../session/agent-directory';
import { agentRequestActor, eventMetadata, type RequestActor } from '../shared/http/request-metadata';

/** Who is asking and from where: the agent (from the session) and the request facts every event's metadata carries. */
export type HelpdeskContext = { agent: Agent; actor: RequestActor };

export function helpdeskContext(agent: Agent, req: Request): HelpdeskContext {
  const actor = agentRequestActor(agent, req);
  const client = req.get('x-client');
  if (client === 'api' || client === 'admin') actor.client = client;
  return { agent, actor };
}

/**
 * Who takes a verification step in a case: the case's agent (or, at a walk-up kiosk, the agent who claimed the kiosk
 * session: the case stays theirs) and the request facts of whoever typed it (the kiosk: client `kiosk`, its id).
 */
export type StepContext = { agent: Pick<Agent, 'storeId' | 'userId'>; actor: RequestActor };

/** Metadata of the events one step records; `causationId` the event (or request) that caused them. */
export function metadataFor(ctx: Pick<HelpdeskContext, 'actor'>, causationId?: string): EventMetadata {
  const meta = eventMetadata(ctx.actor);
  return { ...meta, causationId: causationId ?? (meta.correlationId as string) };
}

/** Ids for the events of one handle() call, known up front so outcomes can name their intent as causation. */
export const eventIds = (n = 24) => Array.from({ length: n }, () => randomUUID());
