import { ForbiddenException, Inject, Injectable } from '@nestjs/common';
import type { EventStore } from '../event-store/event-store';
import { EVENT_STORE } from '../event-store/event-store.module';
import { handle } from '../event-store/handle';
import { recording } from '../shared/http/errors';
import type { CaseService } from './case.service';
import { accountLinksProjection } from './helpdesk.projections';
import { HelpdeskReadModel } from './helpdesk.read-model';
import type { HelpdeskContext } from './helpdesk-context';
import { metadataFor } from './helpdesk-context';
import { HelpdeskDirectory, namedRef } from './helpdesk-directory';
import { linkDecider, linkStreamId } from './links';

/** Explicit links between accounts (see links.ts). Needs Unlock Account and both accounts in the role's scope. */
@Injectable()
export class LinksService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly directory: HelpdeskDirectory,
    private readonly readModel: HelpdeskReadModel,
  ) {}

  async change(
    ctx: HelpdeskContext,
    cases: Pick<CaseService, 'role'>,
    type: 'LinkAccounts' | 'UnlinkAccounts',
    a: { storeId: string; userId: string },
    b: { storeId: string; userId: string },
    comment?: string,
  ) {
    const [account, other] = await Promise.all([
      this.directory.resolve(a.storeId, a.userId),
      this.directory.resolve(b.storeId, b.userId),
    ]);
    const role = await cases.role(ctx);
    const r = await recording(() =>
      handle(
        this.store,
        linkStreamId(account.ref, other.ref),
        linkDecider,
        {
          type,
          role,
          agent: ctx.agent,
          account: namedRef(account),
          other: namedRef(other),
          ...(comment !== undefined ? { comment } : {}),
          now: new Date(),
        },
        { metadata: metadataFor(ctx), retryOnConflict: true },
      ),
    );
    const refused = r.newEvents.find((e) => e.type === 'AccountLinkRefused');
    if (refused && refused.type === 'AccountLinkRefused') {
      throw new ForbiddenException({ statusCode: 403, reason: refused.data.reasonCode, message: refused.data.reason });
    }
    await this.readModel.caughtUp(accountLinksProjection.name);
    return {
      account: { storeId: account.ref.storeId, userId: account.ref.userId },
      other: { storeId: other.ref.storeId, userId: other.ref.userId, storeType: other.ref.storeType, dn: other.ref.dn },
      state: r.newState.status,
      recorded: r.newEvents.length > 0,
    };
  }
}
