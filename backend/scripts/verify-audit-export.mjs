#!/usr/bin/env node
/**
 * Verifies an Unlock Desk audit export offline (no server, no dependencies):
 *
 *   node verify-audit-export.mjs FILE [--partial]
 *
 * FILE is an export from GET /api/audit/export in any format (csv, json, ndjson; detected from the content).
 * For every event it recomputes
 *
 *   hash = sha256_hex(prevHash + canonicalJson({ position, id, type, stream, time, data, metadata }))
 *
 * (canonical JSON: object keys sorted at every level, no whitespace) and checks that each event's prevHash is the
 * hash of the event before it (seq n-1), starting from 64 zeros at seq 1. A complete export must be gapless; a
 * filtered export needs --partial, which checks every event's own hash and the links between consecutive events only.
 * Prints `OK: …` and exits 0, or `BROKEN at seq N (position P): problem` for the first broken link and exits 1.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const GENESIS = '0'.repeat(64);

export function canonicalJson(value) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
}

const sha256 = (text) => createHash('sha256').update(text, 'utf8').digest('hex');

function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

/** Events as { seq, position, id, type, stream, time, data, metadata, prevHash, hash }. */
export function readExport(text) {
  const body = text.replace(/^\uFEFF/, '');
  const trimmed = body.trimStart();
  if (trimmed.startsWith('[')) return JSON.parse(trimmed).map(fromJson);
  if (trimmed.startsWith('{')) {
    return trimmed
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => fromJson(JSON.parse(l)));
  }
  const [header, ...rows] = parseCsv(body);
  if (!header?.includes('hash')) throw new Error('not an audit export: no header row with a hash column');
  const at = (name) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`CSV export lacks the ${name} column`);
    return i;
  };
  const cols = Object.fromEntries(
    ['seq', 'position', 'id', 'type', 'stream', 'time', 'data', 'metadata', 'prev_hash', 'hash'].map((c) => [c, at(c)]),
  );
  return rows
    .filter((r) => !(r.length === 1 && r[0] === ''))
    .map((r) => ({
      seq: Number(r[cols.seq]),
      position: r[cols.position],
      id: r[cols.id],
      type: r[cols.type],
      stream: r[cols.stream],
      time: r[cols.time],
      data: JSON.parse(r[cols.data]),
      metadata: JSON.parse(r[cols.metadata]),
      prevHash: r[cols.prev_hash],
      hash: r[cols.hash],
    }));
}

function fromJson(e) {
  return {
    seq: e.seq,
    position: e.position,
    id: e.eventId ?? e.id,
    type: e.type,
    stream: e.stream,
    time: e.time,
    data: e.data,
    metadata: e.metadata,
    prevHash: e.prevHash,
    hash: e.hash,
  };
}

/** The first broken link, or undefined. */
export function verifyEvents(events, { partial = false } = {}) {
  let previous;
  for (const e of events) {
    const where = { seq: e.seq, position: e.position };
    if (!previous && !partial && e.seq !== 1) return { ...where, problem: `the export starts at seq ${e.seq}, not 1` };
    if (!previous && !partial && e.prevHash !== GENESIS)
      return { ...where, problem: 'seq 1 does not link to the genesis hash' };
    if (previous) {
      if (e.seq <= previous.seq)
        return { ...where, problem: `seq ${e.seq} follows seq ${previous.seq} (out of order)` };
      if (e.seq !== previous.seq + 1 && !partial) {
        return { ...where, problem: `seq ${e.seq} follows seq ${previous.seq} (events missing)` };
      }
      if (e.seq === previous.seq + 1 && e.prevHash !== previous.hash) {
        return { ...where, problem: `prevHash is not the hash of seq ${previous.seq}` };
      }
    }
    const { position, id, type, stream, time, data, metadata } = e;
    const hash = sha256(
      e.prevHash + canonicalJson({ position: String(position), id, type, stream, time, data, metadata }),
    );
    if (hash !== e.hash) return { ...where, problem: 'hash does not match the event (the event was altered)' };
    previous = e;
  }
  return undefined;
}

function main(argv) {
  const partial = argv.includes('--partial');
  const file = argv.find((a) => !a.startsWith('--'));
  if (!file) {
    process.stderr.write('usage: verify-audit-export.mjs FILE [--partial]\n');
    return 2;
  }
  let events;
  try {
    events = readExport(readFileSync(file, 'utf8'));
  } catch (err) {
    process.stderr.write(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const broken = verifyEvents(events, { partial });
  if (broken) {
    process.stdout.write(`BROKEN at seq ${broken.seq} (position ${broken.position}): ${broken.problem}\n`);
    return 1;
  }
  const last = events.at(-1);
  process.stdout.write(
    events.length === 0
      ? 'OK: 0 events\n'
      : `OK: ${events.length} events, chain intact (seq ${events[0].seq}..${last.seq}${partial ? ', partial' : ''}), head hash ${last.hash}\n`,
  );
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
