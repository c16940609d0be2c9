import { Injectable, Optional } from '@nestjs/common';
import { IdentityStoreRegistry } from '../directory/identity-store.registry';
import { type Describable, describe } from '../projections/describe';

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
}

/** Cursor paging: positions are opaque decimal strings (EventStoreDB positions exceed 2^53). */
export const CURSOR_PATTERN = /^\d{1,20}$/;
