import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { helpdeskCasesProjection } from './helpdesk.projections';
import { HelpdeskReadModel } from './helpdesk.read-model';
import { UnlockService } from './unlock.service';

/**
 * On start: every case with an unlock intent that has no outcome (the process died between the directory write and
 * the outcome event) is settled from the directory's actual state (ReconcileUnlocks → AccountUnlocked / UnlockFailed
 * with `reconciled: true`). Runs in the background so a slow directory does not hold up start-up; `done` resolves
 * when it has finished (tests and health can wait for it). Accounts that cannot be read stay pending for the next run.
 */
@Injectable()
export class UnlockReconciler implements OnApplicationBootstrap {
  private readonly log = new Logger('UnlockReconciler');
  done: Promise<{ cases: number; settled: number }> = Promise.resolve({ cases: 0, settled: 0 });

  constructor(
    private readonly readModel: HelpdeskReadModel,
    private readonly unlocks: UnlockService,
  ) {}

  onApplicationBootstrap(): void {
    this.done = this.run().catch((err) => {
      this.log.error(`reconciliation failed: ${(err as Error).message}`);
      return { cases: 0, settled: 0 };
    });
  }

  async run(): Promise<{ cases: number; settled: number }> {
    await this.readModel.caughtUp(helpdeskCasesProjection.name, 60_000);
    const caseIds = this.readModel.pendingCaseIds();
    let settled = 0;
    for (const caseId of caseIds) {
      try {
        settled += await this.unlocks.reconcileCase(caseId);
      } catch (err) {
        this.log.warn(`case ${caseId}: ${(err as Error).message}`);
      }
    }
    if (caseIds.length) this.log.log(`reconciled ${settled} unlock intent(s) in ${caseIds.length} case(s)`);
    return { cases: caseIds.length, settled };
  }
}
