import { join } from 'node:path';
import { enrollmentsProjection } from '../enrollment/enrollments.projection';
import type { EventStore } from '../event-store/event-store';
import { HELPDESK_PROJECTIONS } from '../helpdesk/helpdesk.projections';
import { KIOSK_PROJECTIONS } from '../kiosk/kiosk.projections';
import { rolesProjection } from '../policy/roles.read-model';
import { auditProjection } from './audit.projection';
import { historyProjection } from './history.projection';
import { openReadModelDb, type Projection } from './projection';
import { ProjectionRunner, type ProjectionRunnerOptions } from './projection-runner';

/** The product's read models, in the order they are run. */
export const DEFAULT_PROJECTIONS: readonly Projection[] = [
  historyProjection,
  auditProjection,
  rolesProjection,
  enrollmentsProjection,
  ...HELPDESK_PROJECTIONS,
  ...KIOSK_PROJECTIONS,
];

/** Read models and their checkpoints share one SQLite file, separate from the embedded event store. */
export function readModelFile(dataDir: string): string {
  return join(dataDir, 'read-models.sqlite');
}

export function createProjectionRunner(
  store: EventStore,
  dataDir: string,
  projections: readonly Projection[] = DEFAULT_PROJECTIONS,
  options: ProjectionRunnerOptions = {},
): ProjectionRunner {
  return new ProjectionRunner(store, openReadModelDb(readModelFile(dataDir)), projections, options);
}
