/**
 * Two-person break-glass for unenrolled users (DOMAIN.md "Two-person break-glass"): the case's agent asks, a second
 * agent decides, the list of pending requests. Prepares what the case decider needs (the role now, a fresh request id,
 * the configured lifetimes), runs it through handle() on `case-<caseId>` with the metadata of the agent making the
 * request (so an approval's actor is the approver), and turns recorded refusals into 403/409 with their reason code.
 */
import { randomUUID } from 'node:crypto';
import { ConflictException, ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { CommandHandler, type ICommandHandler, type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import type { EventStore } from '../event-store/event-store';
import { EVENT_STORE } from '../event-store/event-store.module';
import { handle } from '../event-store/handle';
import { refuse } from '../shared/decider';
import { recording } from '../shared/http/errors';
import { approverRefusal, type CaseCommand } from './case.decider';
import { type CaseEvent, caseStreamId, REASONS } from './case.events';
import { type BreakGlassView, breakGlassView, CASE_DECIDER, CaseService } from './case.service';
import type { CaseState, OpenCase } from './case.state';
import { HelpdeskReadModel } from './helpdesk.read-model';
import { type HelpdeskContext, metadataFor } from './helpdesk-context';

export type BreakGlassAnswer = { caseId: string; breakGlass: BreakGlassView | null };

/** Refusals about who is asking → 403; about the request's state → 409. */
const CONFLICTS = new Set([
  'breakGlass.notNeeded',
  'breakGlass.alreadyRequested',
  'breakGlass.notPending',
  'breakGlass.expired',
]);

function throwIfRefused(events: CaseEvent[], caseId: string): void {
  for (const e of events) {
    if (e.type !== 'BreakGlassRequestRefused' && e.type !== 'BreakGlassDecisionRefused') continue;
    const body = { statusCode: 403, reason: e.data.reasonCode, message: e.data.reason, caseId };
    if (CONFLICTS.has(e.data.reasonCode)) throw new ConflictException({ ...body, statusCode: 409 });
    throw new ForbiddenException(body);
  }
}

const openCase = (state: CaseState): OpenCase => {
  if (state.status === 'closed') refuse('case.closed', 'The case is closed');
  if (state.status !== 'open') refuse('case.notFound', 'There is no open case with this id');
  return state;
};

@Injectable()
export class BreakGlassService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly cases: CaseService,
    private readonly readModel: HelpdeskReadModel,
  ) {}

  private get settings() {
    return this.config.helpdesk.breakGlass;
  }

  /** The case's own agent asks for a second agent's approval (others: 403 `case.notYours`). */
  async request(
    ctx: HelpdeskContext,
    caseId: string,
    body: { reason: string; ticket?: string },
  ): Promise<BreakGlassAnswer> {
    const known = await this.cases.ownStream(ctx, caseId);
    openCase(known.state);
    const now = new Date();
    return this.record(ctx, caseId, known, now, {
      type: 'RequestBreakGlass',
      requestId: randomUUID(),
      reason: body.reason,
      ...(body.ticket !== undefined ? { ticket: body.ticket } : {}),
      role: await this.cases.role(ctx),
      requestMinutes: this.settings.requestMinutes,
      now,
    });
  }

  /** A second agent approves or denies the case's pending request; the events carry the approver's metadata. */
  async decide(
    ctx: HelpdeskContext,
    caseId: string,
    decision: 'approve' | 'deny',
    comment?: string,
    requestId?: string,
  ): Promise<BreakGlassAnswer> {
    const known = await this.cases.load(caseId);
    openCase(known.state);
    const now = new Date();
    return this.record(ctx, caseId, known, now, {
      type: 'DecideBreakGlass',
      decision,
      ...(requestId !== undefined ? { requestId } : {}),
      approver: { storeId: ctx.agent.storeId, userId: ctx.agent.userId, displayName: ctx.agent.displayName },
      approverRole: await this.cases.role(ctx),
      ...(comment !== undefined ? { comment } : {}),
      approvalMinutes: this.settings.approvalMinutes,
      now,
    });
  }

  /**
   * Decides a break-glass command on the case as just read (with the metadata of the agent making the request), turns
   * a recorded refusal into 403/409, and answers with the request as it now stands.
   */
  private async record(
    ctx: HelpdeskContext,
    caseId: string,
    known: { state: CaseState; revision: bigint },
    now: Date,
    command: CaseCommand,
  ): Promise<BreakGlassAnswer> {
    const r = await recording(() =>
      handle(this.store, caseStreamId(caseId), CASE_DECIDER, command, {
        metadata: metadataFor(ctx),
        retryOnConflict: true,
        known,
      }),
    );
    throwIfRefused(r.newEvents, caseId);
    return { caseId, breakGlass: breakGlassView(openCase(r.newState).breakGlass, now) };
  }

  /** Pending, unexpired requests, newest first, each with whether this agent may decide it (and why not). */
  async pending(ctx: HelpdeskContext) {
    const now = new Date();
    const [rows, role] = await Promise.all([this.readModel.pendingBreakGlass(now), this.cases.role(ctx)]);
    const me = { storeId: ctx.agent.storeId, userId: ctx.agent.userId };
    return {
      requests: rows.map((r) => {
        const why = approverRefusal(me, r.requestedBy, r.subject, role);
        return {
          caseId: r.caseId,
          requestId: r.requestId,
          subject: {
            storeId: r.subject.storeId,
            userId: r.subject.userId,
            displayName: r.subject.displayName ?? r.subject.userId,
          },
          requestedBy: r.requestedBy,
          reason: r.reason,
          ticket: r.ticket,
          requestedAt: r.requestedAt,
          expiresAt: r.expiresAt,
          canDecide: why === undefined,
          ...(why ? { whyNot: REASONS[why], whyNotCode: why } : {}),
        };
      }),
    };
  }
}

export class RequestBreakGlassFor {
  constructor(
    readonly ctx: HelpdeskContext,
    readonly caseId: string,
    readonly body: { reason: string; ticket?: string },
  ) {}
}
export class DecideBreakGlassFor {
  constructor(
    readonly ctx: HelpdeskContext,
    readonly caseId: string,
    readonly decision: 'approve' | 'deny',
    readonly comment?: string,
    readonly requestId?: string,
  ) {}
}
export class ListPendingBreakGlass {
  constructor(readonly ctx: HelpdeskContext) {}
}

@CommandHandler(RequestBreakGlassFor)
export class RequestBreakGlassHandler implements ICommandHandler<RequestBreakGlassFor> {
  constructor(private readonly breakGlass: BreakGlassService) {}
  execute(c: RequestBreakGlassFor) {
    return this.breakGlass.request(c.ctx, c.caseId, c.body);
  }
}

@CommandHandler(DecideBreakGlassFor)
export class DecideBreakGlassHandler implements ICommandHandler<DecideBreakGlassFor> {
  constructor(private readonly breakGlass: BreakGlassService) {}
  execute(c: DecideBreakGlassFor) {
    return this.breakGlass.decide(c.ctx, c.caseId, c.decision, c.comment, c.requestId);
  }
}

@QueryHandler(ListPendingBreakGlass)
export class ListPendingBreakGlassHandler implements IQueryHandler<ListPendingBreakGlass> {
  constructor(private readonly breakGlass: BreakGlassService) {}
  execute(q: ListPendingBreakGlass) {
    return this.breakGlass.pending(q.ctx);
  }
}

export const BREAK_GLASS_HANDLERS = [RequestBreakGlassHandler, DecideBreakGlassHandler, ListPendingBreakGlassHandler];
