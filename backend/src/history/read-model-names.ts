import { Injectable, Optional } from '@nestjs/common';
import { IdentityStoreRegistry } from '../directory/identity-store.registry';
import { type Describable, describe } from '../projections/describe';
import type { HistoryEntry } from '../projections/history.projection';

/** Store names from the configured identity stores, and the readable sentence of an entry. */
@Injectable()
export class ReadModelNames {
  constructor(@Optional() private readonly registry?: IdentityStoreRegistry) {}

  storeName(id: string | null): string | null {
    if (!id) return null;
    return this.registry?.get(id)?.name ?? null;
  }

  summary(e: Describable): string {
    return describe(e, (id) => this.storeName(id) ?? undefined);
  }

  /** A history or audit entry with its store's name and its readable sentence added. */
  named<E extends NameableEntry>(e: E): E & { storeName: string | null; summary: string } {
    return {
      ...e,
      storeName: this.storeName(e.storeId),
      summary: this.summary({
        action: e.action,
        type: e.type,
        actor: e.actor?.id ?? null,
        actorName: e.actor?.displayName ?? null,
        subject: e.subject?.key ?? null,
        subjectName: e.subject?.displayName ?? null,
        store: e.storeId,
        outcome: e.outcome,
        reason: e.reason,
        authenticationTypes: e.authenticationTypes,
        details: e.details,
      }),
    };
  }
}

/** The fields of a history or audit entry that its sentence is made from. */
export type NameableEntry = Pick<
  HistoryEntry,
  'action' | 'type' | 'storeId' | 'outcome' | 'reason' | 'authenticationTypes' | 'details' | 'actor'
> & { subject: { key: string; displayName: string | null } | null };

/** Cursor paging: positions are opaque decimal strings (EventStoreDB positions exceed 2^53). */
export const CURSOR_PATTERN = /^\d{1,20}$/;
