/**
 * Kiosk commands and queries: Nest's CommandBus/QueryBus only route them to these handlers, which call the services
 * (no logic here).
 */
import { CommandHandler, type ICommandHandler, type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Request } from 'express';
import type { ChannelName } from '../helpdesk/case.service';
import type { HelpdeskContext } from '../helpdesk/helpdesk-context';
import { type KioskDevice, KioskService } from './kiosk.service';
import { KioskSessionService } from './kiosk-session.service';

export class RegisterKioskFor {
  constructor(
    readonly ctx: HelpdeskContext,
    readonly body: { name: string; location?: string; storeId: string },
  ) {}
}
export class ListKiosks {}
export class RevokeKioskFor {
  constructor(
    readonly ctx: HelpdeskContext,
    readonly kioskId: string,
    readonly reason?: string,
  ) {}
}
export class ActivateKioskDevice {
  constructor(
    readonly req: Request,
    readonly code: string,
  ) {}
}
export class ListWaitingKioskSessions {}
export class ClaimKioskSessionFor {
  constructor(
    readonly ctx: HelpdeskContext,
    readonly code: string,
  ) {}
}
export class EndKioskSessionAsAgent {
  constructor(
    readonly ctx: HelpdeskContext,
    readonly sessionId: string,
  ) {}
}
export class StartKioskSessionAt {
  constructor(
    readonly device: KioskDevice,
    readonly req: Request,
    readonly username: string,
  ) {}
}
export class GetKioskSession {
  constructor(
    readonly device: KioskDevice,
    readonly sessionId: string,
  ) {}
}
export type KioskStep =
  | { type: 'answer'; questionId: string; answer: string }
  | { type: 'verifyCode'; channel: ChannelName; code: string }
  | { type: 'authenticator'; code: string };
export class VerifyAtKiosk {
  constructor(
    readonly device: KioskDevice,
    readonly req: Request,
    readonly sessionId: string,
    readonly step: KioskStep,
  ) {}
}
export class EndKioskSessionAtKiosk {
  constructor(
    readonly device: KioskDevice,
    readonly req: Request,
    readonly sessionId: string,
  ) {}
}

@CommandHandler(RegisterKioskFor)
export class RegisterKioskHandler implements ICommandHandler<RegisterKioskFor> {
  constructor(private readonly kiosks: KioskService) {}
  execute(c: RegisterKioskFor) {
    return this.kiosks.register(c.ctx, c.body);
  }
}
@QueryHandler(ListKiosks)
export class ListKiosksHandler implements IQueryHandler<ListKiosks> {
  constructor(private readonly kiosks: KioskService) {}
  execute() {
    return this.kiosks.list();
  }
}
@CommandHandler(RevokeKioskFor)
export class RevokeKioskHandler implements ICommandHandler<RevokeKioskFor> {
  constructor(private readonly kiosks: KioskService) {}
  execute(c: RevokeKioskFor) {
    return this.kiosks.revoke(c.ctx, c.kioskId, c.reason);
  }
}
@CommandHandler(ActivateKioskDevice)
export class ActivateKioskDeviceHandler implements ICommandHandler<ActivateKioskDevice> {
  constructor(private readonly kiosks: KioskService) {}
  execute(c: ActivateKioskDevice) {
    return this.kiosks.activate(c.req, c.code);
  }
}
@QueryHandler(ListWaitingKioskSessions)
export class ListWaitingKioskSessionsHandler implements IQueryHandler<ListWaitingKioskSessions> {
  constructor(private readonly sessions: KioskSessionService) {}
  execute() {
    return this.sessions.waiting();
  }
}
@CommandHandler(ClaimKioskSessionFor)
export class ClaimKioskSessionHandler implements ICommandHandler<ClaimKioskSessionFor> {
  constructor(private readonly sessions: KioskSessionService) {}
  execute(c: ClaimKioskSessionFor) {
    return this.sessions.claim(c.ctx, c.code);
  }
}
@CommandHandler(EndKioskSessionAsAgent)
export class EndKioskSessionAsAgentHandler implements ICommandHandler<EndKioskSessionAsAgent> {
  constructor(private readonly sessions: KioskSessionService) {}
  execute(c: EndKioskSessionAsAgent) {
    return this.sessions.endByAgent(c.ctx, c.sessionId);
  }
}
@CommandHandler(StartKioskSessionAt)
export class StartKioskSessionHandler implements ICommandHandler<StartKioskSessionAt> {
  constructor(private readonly sessions: KioskSessionService) {}
  execute(c: StartKioskSessionAt) {
    return this.sessions.start(c.device, c.req, c.username);
  }
}
@QueryHandler(GetKioskSession)
export class GetKioskSessionHandler implements IQueryHandler<GetKioskSession> {
  constructor(private readonly sessions: KioskSessionService) {}
  execute(q: GetKioskSession) {
    return this.sessions.view(q.device, q.sessionId);
  }
}
@CommandHandler(VerifyAtKiosk)
export class VerifyAtKioskHandler implements ICommandHandler<VerifyAtKiosk> {
  constructor(private readonly sessions: KioskSessionService) {}
  execute(c: VerifyAtKiosk) {
    return this.sessions.step(c.device, c.req, c.sessionId, c.step);
  }
}
@CommandHandler(EndKioskSessionAtKiosk)
export class EndKioskSessionAtKioskHandler implements ICommandHandler<EndKioskSessionAtKiosk> {
  constructor(private readonly sessions: KioskSessionService) {}
  execute(c: EndKioskSessionAtKiosk) {
    return this.sessions.endByKiosk(c.device, c.req, c.sessionId);
  }
}

export const KIOSK_HANDLERS = [
  RegisterKioskHandler,
  ListKiosksHandler,
  RevokeKioskHandler,
  ActivateKioskDeviceHandler,
  ListWaitingKioskSessionsHandler,
  ClaimKioskSessionHandler,
  EndKioskSessionAsAgentHandler,
  StartKioskSessionHandler,
  GetKioskSessionHandler,
  VerifyAtKioskHandler,
  EndKioskSessionAtKioskHandler,
];
