import { Injectable } from '@nestjs/common';
import { ReadModelNames } from '../history/read-model-names';
import {
  type AuditEntry,
  type AuditFilter,
  type ChainVerification,
  iterateAudit,
  queryAudit,
  verifyAuditChain,
} from '../projections/audit.projection';
import { ProjectionHost } from '../projections/projection-host';

export type AuditItem = AuditEntry & { storeName: string | null; summary: string };
export type AuditPage = { items: AuditItem[]; nextCursor: string | null };

@Injectable()
export class AuditService {
  constructor(
    private readonly runner: ProjectionHost,
    private readonly names: ReadModelNames,
  ) {}

  /** Newest first; `nextCursor` (a position) continues with older events. */
  page(filter: AuditFilter): AuditPage {
    const limit = filter.limit ?? 100;
    const rows = queryAudit(this.runner.db, { ...filter, limit: limit + 1 });
    const items = rows.slice(0, limit).map((r) => this.item(r));
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].position : null };
  }

  /** Oldest first (chain order), page by page. */
  *export(filter: Omit<AuditFilter, 'limit' | 'beforePosition'>): Generator<AuditItem[]> {
    for (const page of iterateAudit(this.runner.db, filter, 1000)) yield page.map((r) => this.item(r));
  }

  verify(): Promise<ChainVerification> {
    return verifyAuditChain(this.runner.db);
  }

  item(e: AuditEntry): AuditItem {
    return this.names.named(e);
  }
}
