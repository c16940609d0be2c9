/**
 * `npm run bench [-- <filters…>] [-- <options…>]` (in backend/; from the root: `npm run bench`).
 *
 * Runs every `bench/*.bench.ts`, one child process each (node --expose-gc -r @swc-node/register), sequentially so
 * figures do not disturb each other. Arguments that match part of a bench file name select those files; all arguments
 * are passed through to each bench, which may use them to select its own cases. Exit code: non-zero if any failed.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = __dirname;
const all = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();
const args = process.argv.slice(2);
const selectors = args.filter((a) => !a.startsWith('-') && all.some((f) => f.includes(a)));
const files = selectors.length > 0 ? all.filter((f) => selectors.some((s) => f.includes(s))) : all;
const passThrough = args.filter((a) => !selectors.includes(a));

let failed = 0;
for (const file of files) {
  process.stdout.write(`\n=== ${file} ${passThrough.join(' ')}\n`);
  const started = Date.now();
  const result = spawnSync(
    process.execPath,
    ['--expose-gc', '-r', '@swc-node/register', join(dir, file), ...passThrough],
    { stdio: 'inherit', cwd: join(dir, '..') },
  );
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    failed += 1;
    process.stdout.write(`=== ${file} FAILED (exit ${result.status ?? result.signal}) after ${seconds} s\n`);
  } else {
    process.stdout.write(`=== ${file} done in ${seconds} s\n`);
  }
}
if (files.length === 0) process.stdout.write(`no bench files match ${args.join(' ')} (have: ${all.join(', ')})\n`);
process.exit(failed > 0 ? 1 : 0);
