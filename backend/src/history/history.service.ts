import { Injectable } from '@nestjs/common';
import { personKey } from '../projections/helpdesk-facts';
import { type HistoryEntry, historyFor } from '../projections/history.projection';
import { ProjectionHost } from '../projections/projection-host';
import { ReadModelNames } from './read-model-names';

/** One history entry as the API returns it: the stored entry, the store's name and a readable sentence. */
export type HistoryItem = HistoryEntry & { storeName: string | null; summary: string };

export type HistoryPage = {
  items: HistoryItem[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextCursor: string | null;
};

@Injectable()
export class HistoryService {
  constructor(
    private readonly runner: ProjectionHost,
    private readonly names: ReadModelNames,
  ) {}

  /** Actions on and by a user (`asActor`: only what they did, as an agent), newest first. */
  page(storeId: string, userId: string, q: { limit?: number; before?: string; asActor?: boolean }): HistoryPage {
    const { entries, more } = historyFor(this.runner.db, {
      key: personKey(storeId, userId),
      asActor: q.asActor,
      limit: q.limit ?? 50,
      before: q.before === undefined ? undefined : BigInt(q.before),
    });
    const items = entries.map((e) => this.item(e));
    return { items, nextCursor: more && items.length > 0 ? items[items.length - 1].position : null };
  }

  item(e: HistoryEntry): HistoryItem {
    return this.names.named(e);
  }
}
