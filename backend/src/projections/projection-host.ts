import type { DatabaseSync } from 'node:sqlite';
import type { Checkpoint, ProjectionHealth } from './projection-runner';

/**
 * What the application needs of the projections: a connection to query the read models, the checkpoints (for
 * read-your-writes), health, and start/stop. Injection token provided by EventStoreModule: the product's read models
 * run on their own thread (ProjectionThread), custom projection sets in-process (ProjectionRunner).
 */
export abstract class ProjectionHost {
  /** The read-model database, for queries. */
  abstract readonly db: DatabaseSync;
  abstract readonly names: string[];
  /** Prepares every projection (tables exist once it resolves) and follows the store in the background. */
  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;
  abstract health(): Promise<ProjectionHealth[]>;
  /** Resolves when every projection's checkpoint has reached `position`. */
  abstract waitFor(position: bigint, timeoutMs?: number): Promise<void>;
  abstract checkpoint(name: string): Checkpoint;
}
