/**
 * Kills (SIGKILL) a process in the middle of rebuilding the history read model over 200,000 events, then runs the
 * rebuild command again: it must resume from the checkpoint and end with exactly one row per event.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from '@jest/globals';
import { eventStoreFile } from '../../src/event-store/create-event-store';
import { SqliteEventStore } from '../../src/event-store/sqlite-event-store';
import { readModelFile } from '../../src/projections/read-models';

const EVENTS = 200_000;
const backend = resolve(__dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'unlockdesk-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rebuild(...extra: string[]): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string }> } {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', 'src/projections/rebuild-cli.ts', 'history', '--data-dir', dir, ...extra],
    { cwd: backend, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<{ code: number | null; stdout: string }>((res) =>
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) process.stderr.write(stderr);
      res({ code, stdout });
    }),
  );
  return { child, done };
}

function readModel() {
  if (!existsSync(readModelFile(dir))) return undefined;
  const db = new DatabaseSync(readModelFile(dir), { readOnly: true });
  try {
    const cp = db.prepare("SELECT position, rebuilding FROM projection_checkpoints WHERE name = 'history'").get() as
      | { position: number | null; rebuilding: number }
      | undefined;
    const rows = db
      .prepare(
        'SELECT count(*) AS rows, count(DISTINCT position) AS positions, count(DISTINCT event_id) AS ids, ' +
          'min(position) AS min, max(position) AS max FROM history',
      )
      .get() as { rows: number; positions: number; ids: number; min: number; max: number };
    return { checkpoint: cp?.position ?? 0, rebuilding: cp?.rebuilding === 1, ...rows };
  } catch {
    return undefined; // tables not created yet
  } finally {
    db.close();
  }
}

describe('projection crash safety', () => {
  it('resumes a SIGKILLed rebuild from its checkpoint with no duplicate or missing row', async () => {
    const seedStarted = performance.now();
    const store = new SqliteEventStore({ file: eventStoreFile(dir), synchronous: 'OFF' }); // seeding only
    for (let b = 0; b < EVENTS / 500; b++) {
      store.appendSync(
        `case-${b}`,
        Array.from({ length: 500 }, (_, i) => ({
          type: i % 10 === 9 ? 'UnlockRefused' : 'AccountUnlocked',
          data: { subject: { storeId: 'corp-ad', userId: `user-${i}` }, batch: b },
          metadata: { actor: `agent-${b % 7}`, client: 'admin', ip: '192.0.2.1' },
        })),
      );
    }
    expect(await store.headPosition()).toBe(BigInt(EVENTS));
    await store.close();
    process.stdout.write(`seeded ${EVENTS} events in ${Math.round(performance.now() - seedStarted)} ms\n`);

    // First run: kill it once a good part (but not all) of the rebuild is committed.
    const first = rebuild('--batch-size', '250');
    for (;;) {
      const state = readModel();
      if (state && state.checkpoint >= 30_000) {
        first.child.kill('SIGKILL');
        break;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    const killed = await first.done;
    expect(killed.code).toBeNull(); // killed by the signal, not finished
    const killedAt = readModel();
    expect(killedAt).toBeDefined();
    const at = killedAt?.checkpoint ?? 0;
    expect(at).toBeGreaterThanOrEqual(30_000);
    expect(at).toBeLessThan(EVENTS);
    // What is committed is exactly the events up to the checkpoint.
    expect(killedAt).toMatchObject({ rebuilding: true, rows: at, positions: at, ids: at, min: 1, max: at });

    // Second run: resumes (does not wipe) and completes.
    const second = rebuild();
    const { code, stdout } = await second.done;
    expect(code).toBe(0);
    const report = JSON.parse(stdout.trim().split('\n').pop() as string);
    expect(report).toMatchObject({ projection: 'history', resumedFrom: String(at), position: String(EVENTS) });
    expect(readModel()).toEqual({
      checkpoint: EVENTS,
      rebuilding: false,
      rows: EVENTS,
      positions: EVENTS,
      ids: EVENTS,
      min: 1,
      max: EVENTS,
    });
  }, 120_000);
});
