/**
 * Helpdesk commands and queries. Nest's CommandBus/QueryBus only route them to these handlers, which call the
 * services that prepare the decider's input and run it through handle() (no logic here, no in-process EventBus).
 */
import { CommandHandler, type ICommandHandler, type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { CaseService, type ChannelName } from './case.service';
import type { HelpdeskContext } from './helpdesk-context';
import { HelpdeskDirectory } from './helpdesk-directory';
import { LinksService } from './links.service';
import { type UnlockRequest, UnlockService } from './unlock.service';
import { type UserSearchQuery, UsersService } from './users.service';

export class SearchUsers {
  constructor(
    readonly ctx: HelpdeskContext,
    readonly query: UserSearchQuery,
  ) {}
}
export class GetUserProfile {
  constructor(
    readonly ctx: HelpdeskContext,
    readonly storeId: string,
    readonly userId: string,
  ) {}
}
export class GetCase {
  constructor(
    readonly ctx: HelpdeskContext,
    readonly caseId: string,
  ) {}
}
export class OpenCaseFor {
  constructor(
    readonly ctx: HelpdeskContext,
    readonly storeId: string,
    readonly userId: string,
  ) {}
}
export type CaseStep =
  | { type: 'answer'; questionId: string; answer: string }
  | { type: 'sendCode'; channel: ChannelName }
  | { type: 'verifyCode'; channel: ChannelName; code: string }
  | { type: 'authenticator'; code: string };
export class AuthenticateCaller {
  constructor(
    readonly ctx: HelpdeskContext,
    readonly caseId: string,
    readonly step: CaseStep,
  ) {}
}
export class UnlockAccountsOf {
  constructor(
    readonly ctx: HelpdeskContext,
    readonly storeId: string,
    readonly userId: string,
    readonly request: UnlockRequest,
    readonly idempotencyKey: string,
  ) {}
}
export class ChangeAccountLink {
  constructor(
    readonly ctx: HelpdeskContext,
    readonly type: 'LinkAccounts' | 'UnlinkAccounts',
    readonly account: { storeId: string; userId: string },
    readonly other: { storeId: string; userId: string },
    readonly comment?: string,
  ) {}
}

@QueryHandler(SearchUsers)
export class SearchUsersHandler implements IQueryHandler<SearchUsers> {
  constructor(private readonly users: UsersService) {}
  execute(q: SearchUsers) {
    return this.users.find(q.ctx, q.query);
  }
}

@QueryHandler(GetUserProfile)
export class GetUserProfileHandler implements IQueryHandler<GetUserProfile> {
  constructor(private readonly users: UsersService) {}
  execute(q: GetUserProfile) {
    return this.users.profile(q.ctx, q.storeId, q.userId);
  }
}

@QueryHandler(GetCase)
export class GetCaseHandler implements IQueryHandler<GetCase> {
  constructor(private readonly cases: CaseService) {}
  execute(q: GetCase) {
    return this.cases.view(q.ctx, q.caseId);
  }
}

@CommandHandler(OpenCaseFor)
export class OpenCaseHandler implements ICommandHandler<OpenCaseFor> {
  constructor(
    private readonly cases: CaseService,
    private readonly directory: HelpdeskDirectory,
  ) {}
  async execute(c: OpenCaseFor) {
    const subject = await this.directory.resolve(c.storeId, c.userId);
    const { caseId } = await this.cases.open(c.ctx, subject);
    return this.cases.view(c.ctx, caseId);
  }
}

@CommandHandler(AuthenticateCaller)
export class AuthenticateCallerHandler implements ICommandHandler<AuthenticateCaller> {
  constructor(private readonly cases: CaseService) {}
  execute({ ctx, caseId, step }: AuthenticateCaller) {
    switch (step.type) {
      case 'answer':
        return this.cases.answer(ctx, caseId, step.questionId, step.answer);
      case 'sendCode':
        return this.cases.sendCode(ctx, caseId, step.channel);
      case 'verifyCode':
        return this.cases.verifyCode(ctx, caseId, step.channel, step.code);
      case 'authenticator':
        return this.cases.verifyAuthenticator(ctx, caseId, step.code);
    }
  }
}

@CommandHandler(UnlockAccountsOf)
export class UnlockAccountsHandler implements ICommandHandler<UnlockAccountsOf> {
  constructor(private readonly unlocks: UnlockService) {}
  execute(c: UnlockAccountsOf) {
    return this.unlocks.unlock(c.ctx, c.storeId, c.userId, c.request, c.idempotencyKey);
  }
}

@CommandHandler(ChangeAccountLink)
export class ChangeAccountLinkHandler implements ICommandHandler<ChangeAccountLink> {
  constructor(
    private readonly links: LinksService,
    private readonly cases: CaseService,
  ) {}
  execute(c: ChangeAccountLink) {
    return this.links.change(c.ctx, this.cases, c.type, c.account, c.other, c.comment);
  }
}

export const HELPDESK_HANDLERS = [
  SearchUsersHandler,
  GetUserProfileHandler,
  GetCaseHandler,
  OpenCaseHandler,
  AuthenticateCallerHandler,
  UnlockAccountsHandler,
  ChangeAccountLinkHandler,
];
