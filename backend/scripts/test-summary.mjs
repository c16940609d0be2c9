// Sums the JSON reports of Jest, Vitest and Playwright into one closing line: "N passed, N failed, N skipped".
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const total = { passed: 0, failed: 0, skipped: 0 };
const rows = [];
const skippedNames = [];
for (const file of existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
  : []) {
  const r = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const c = r.stats
    ? { passed: r.stats.expected + (r.stats.flaky ?? 0), failed: r.stats.unexpected, skipped: r.stats.skipped } // Playwright
    : {
        passed: r.numPassedTests,
        failed: r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0),
        skipped: r.numPendingTests + (r.numTodoTests ?? 0),
      }; // Jest, Vitest
  // Name every skipped test, so a skip (such as the real-EventStoreDB contract run) is visible, never silently absent.
  for (const suite of r.testResults ?? []) {
    for (const t of suite.assertionResults ?? []) {
      if (t.status === 'pending' || t.status === 'skipped' || t.status === 'todo')
        skippedNames.push(`${file.replace('.json', '')}: ${t.fullName ?? t.title}`);
    }
  }
  rows.push(`${file.replace('.json', '').padEnd(8)} ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
  for (const k of Object.keys(total)) total[k] += c[k];
}
for (const name of skippedNames) console.log(`skipped  ${name}`);
console.log(rows.join('\n'));
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed > 0 || total.passed === 0 ? 1 : 0);
