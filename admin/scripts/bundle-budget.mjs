#!/usr/bin/env node
/**
 * Page-weight budget of the admin app: the gzip size of the JavaScript (and CSS) the browser needs for the first
 * load. Run after `vite build`. The first load is what dist/index.html references (entry script, modulepreloads,
 * stylesheets) plus, transitively, the static imports of those scripts; lazy (dynamic import) chunks are listed
 * but not counted. Exits 1 when the first-load JavaScript is above the budget (kB = 1000 bytes, as Vite prints).
 *
 *   node scripts/bundle-budget.mjs [distDir]      BUDGET_JS_KB=250 (default)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const budgetKb = Number(process.env.BUDGET_JS_KB ?? 250);
const indexHtml = join(dist, 'index.html');
if (!existsSync(indexHtml)) {
  console.error(`bundle-budget: ${indexHtml} not found; run \`vite build\` first`);
  process.exit(2);
}

const html = readFileSync(indexHtml, 'utf8');
const attr = (tag, name) => new RegExp(`\\b${name}\\s*=\\s*["']([^"']+)["']`, 'i').exec(tag)?.[1];
/** `/assets/x.js` or `./assets/x.js` → path relative to dist (external URLs are ignored). */
const local = (url) =>
  /^[a-z]+:\/\//i.test(url) || url.startsWith('//') ? undefined : posix.normalize(url.replace(/^\.?\//, ''));

const scripts = new Set();
const styles = new Set();
for (const [tag] of html.matchAll(/<script\b[^>]*>/gi)) {
  const src = attr(tag, 'src');
  if (src && local(src)) scripts.add(local(src));
}
for (const [tag] of html.matchAll(/<link\b[^>]*>/gi)) {
  const rel = attr(tag, 'rel')?.toLowerCase();
  const href = attr(tag, 'href');
  if (!href || !local(href)) continue;
  if (rel === 'modulepreload') scripts.add(local(href));
  if (rel === 'stylesheet') styles.add(local(href));
}
if (scripts.size === 0) {
  console.error('bundle-budget: no entry script found in index.html');
  process.exit(2);
}

// Static imports (`import{a}from"./x.js"`, `import"./y.js"`, `export*from"./z.js"`) are needed before the entry runs;
// dynamic `import("./x.js")` is not.
const STATIC_IMPORT = /\b(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?["']([^"']+\.js)["']/g;
const queue = [...scripts];
while (queue.length) {
  const file = queue.shift();
  const code = readFileSync(join(dist, file), 'utf8');
  for (const [, spec] of code.matchAll(STATIC_IMPORT)) {
    if (!spec.startsWith('.') && !spec.startsWith('/')) continue;
    const target = spec.startsWith('/') ? local(spec) : posix.join(posix.dirname(file), spec);
    if (!scripts.has(target) && existsSync(join(dist, target))) {
      scripts.add(target);
      queue.push(target);
    }
  }
}

const sizeOf = (file) => {
  const bytes = readFileSync(join(dist, file));
  return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
};
const kb = (n) => `${(n / 1000).toFixed(2)} kB`;
const sum = (rows, key) => rows.reduce((t, r) => t + r[key], 0);

const firstJs = [...scripts].map(sizeOf);
const firstCss = [...styles].map(sizeOf);
const allJs = readdirSync(join(dist, 'assets'))
  .filter((f) => f.endsWith('.js'))
  .map((f) => posix.join('assets', f));
const lazy = allJs.filter((f) => !scripts.has(f)).map(sizeOf);

const line = (r) => `  ${r.file.padEnd(44)} ${kb(r.raw).padStart(11)}  gzip ${kb(r.gzip).padStart(10)}`;
console.log(`Admin first load (${relative(process.cwd(), dist) || '.'}/index.html):`);
for (const r of [...firstJs, ...firstCss]) console.log(line(r));
const jsGzip = sum(firstJs, 'gzip');
console.log(`  JavaScript: ${kb(sum(firstJs, 'raw'))}, gzip ${kb(jsGzip)} (budget ${budgetKb} kB gzip)`);
console.log(`  CSS:        ${kb(sum(firstCss, 'raw'))}, gzip ${kb(sum(firstCss, 'gzip'))}`);
if (lazy.length) {
  console.log('Loaded later (route-level chunks, not counted):');
  for (const r of lazy) console.log(line(r));
}
if (jsGzip > budgetKb * 1000) {
  console.error(`bundle-budget: FAILED: first-load JavaScript is ${kb(jsGzip)} gzip, above the ${budgetKb} kB budget`);
  process.exit(1);
}
console.log(`bundle-budget: ok (${kb(jsGzip)} of ${budgetKb} kB gzip JavaScript)`);
