/**
 * Event versioning. Every event type has an explicit schema version (a constant per stream module).
 * Events are appended with the current version in their metadata; when reading, `upcast` brings an
 * older stored payload up to the current shape, one version step at a time, before `evolve` sees it.
 */
export type StoredEvent = { type: string; data: unknown; schemaVersion?: number };

export type SchemaVersions<Type extends string> = { readonly [K in Type]: number };

/** upcasters[type][fromVersion] turns data of version `fromVersion` into version `fromVersion + 1`. */
export type Upcasters = Record<string, Record<number, (data: unknown) => unknown>>;

export class UnknownEventError extends Error {
  override readonly name = 'UnknownEventError';
}

export function createUpcaster<E extends { type: string; data: unknown }>(
  versions: SchemaVersions<E['type']>,
  upcasters: Upcasters = {},
): (stored: StoredEvent) => E {
  return (stored) => {
    const current = (versions as Record<string, number>)[stored.type];
    if (current === undefined) throw new UnknownEventError(`Unknown event type ${stored.type}`);
    let version = stored.schemaVersion ?? 1;
    if (!Number.isInteger(version) || version < 1) {
      throw new UnknownEventError(`Invalid schema version ${String(version)} for ${stored.type}`);
    }
    if (version > current) {
      throw new UnknownEventError(
        `${stored.type} has schema version ${version}, newer than this code understands (${current})`,
      );
    }
    let data = stored.data;
    while (version < current) {
      const step = upcasters[stored.type]?.[version];
      if (!step) throw new UnknownEventError(`No upcaster for ${stored.type} from version ${version}`);
      data = step(data);
      version += 1;
    }
    return { type: stored.type, data } as E;
  };
}
