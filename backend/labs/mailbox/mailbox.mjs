#!/usr/bin/env node
// Development/test mail catcher: a real SMTP server (smtp-server) on 127.0.0.1 that parses every message it accepts
// (mailparser), stores it as one JSON file in --dir and serves the messages over a small HTTP API on 127.0.0.1.
//
//   node backend/labs/mailbox/mailbox.mjs --smtp-port 0 --http-port 0 --dir /tmp/mailbox [--auth user:pass|any]
//                                         [--reject-rcpt REGEX]...
//
// When both listeners are ready it prints one line of JSON: {"smtpPort":..,"httpPort":..,"pid":..}. SIGTERM/SIGINT stop
// it. See README.md next to this file for the HTTP API.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

const HOST = '127.0.0.1';
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

function fail(message) {
  process.stderr.write(`mailbox: ${message}\n`);
  process.exit(2);
  return undefined;
}

function parsePort(value, name) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) fail(`${name} must be a port number (0 = any free port)`);
  return n;
}

let args;
try {
  args = parseArgs({
    options: {
      'smtp-port': { type: 'string', default: '2525' },
      'http-port': { type: 'string', default: '8025' },
      dir: { type: 'string' },
      auth: { type: 'string' },
      'reject-rcpt': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }).values;
} catch (err) {
  fail(err.message);
}
if (args.help) {
  process.stdout.write(
    'usage: mailbox.mjs --dir DIR [--smtp-port N] [--http-port N] [--auth user:pass|any] [--reject-rcpt REGEX]...\n',
  );
  process.exit(0);
}
if (!args.dir) fail('--dir is required');

const dir = resolve(args.dir);
mkdirSync(dir, { recursive: true });
const smtpPort = parsePort(args['smtp-port'], '--smtp-port');
const httpPort = parsePort(args['http-port'], '--http-port');

/** undefined: no AUTH; 'any': AUTH required, any credentials; otherwise AUTH required with exactly these. */
let auth;
if (args.auth === 'any') auth = 'any';
else if (args.auth !== undefined) {
  const colon = args.auth.indexOf(':');
  if (colon <= 0) fail('--auth must be user:pass or any');
  auth = { user: args.auth.slice(0, colon), pass: args.auth.slice(colon + 1) };
}

// Recipients the server refuses with 550 (to exercise "rejected recipient"). Default: the reserved .invalid TLD.
const rejectRcpt = (args['reject-rcpt'] ?? ['@[^@]*\\.invalid$']).map((source) => {
  try {
    return new RegExp(source, 'i');
  } catch (err) {
    return fail(`--reject-rcpt ${source}: ${err.message}`);
  }
});

// --- storage ------------------------------------------------------------------------------------------------------

let sequence = 0;
function newId() {
  // Sortable by arrival: milliseconds, a per-process sequence, then a little randomness against collisions.
  sequence = (sequence + 1) % 1_000_000;
  return `${Date.now().toString().padStart(14, '0')}-${String(sequence).padStart(6, '0')}-${randomBytes(3).toString('hex')}`;
}

const ID_PATTERN = /^[0-9]{14}-[0-9]{6}-[0-9a-f]{6}$/;

function addressList(value) {
  if (!value) return [];
  const groups = Array.isArray(value) ? value : [value];
  const out = [];
  const walk = (entries) => {
    for (const a of entries) {
      if (a.group) walk(a.group);
      else if (a.address) out.push({ address: a.address.toLowerCase(), name: a.name || '' });
    }
  };
  for (const g of groups) walk(g.value ?? []);
  return out;
}

function store(message) {
  const file = join(dir, `${message.id}.json`);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(message));
  renameSync(tmp, file);
}

function ids() {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && ID_PATTERN.test(f.slice(0, -5)))
    .map((f) => f.slice(0, -5))
    .sort()
    .reverse();
}

function load(id) {
  if (!ID_PATTERN.test(id)) return undefined;
  try {
    return JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8'));
  } catch {
    return undefined;
  }
}

function matchesRecipient(message, to) {
  const wanted = to.trim().toLowerCase();
  return (
    message.envelope.rcptTo.includes(wanted) ||
    message.to.some((a) => a.address === wanted) ||
    message.cc.some((a) => a.address === wanted)
  );
}

function list(to) {
  const out = [];
  for (const id of ids()) {
    const m = load(id);
    if (!m) continue;
    if (to && !matchesRecipient(m, to)) continue;
    const { raw: _raw, ...summary } = m;
    out.push(summary);
  }
  return out;
}

function clear() {
  let n = 0;
  for (const id of ids()) {
    try {
      unlinkSync(join(dir, `${id}.json`));
      n++;
    } catch {}
  }
  return n;
}

// --- SMTP ---------------------------------------------------------------------------------------------------------

const smtp = new SMTPServer({
  name: 'mailbox.unlockdesk.test',
  banner: 'Unlock Desk development mailbox',
  disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
  authOptional: !auth,
  authMethods: ['PLAIN', 'LOGIN'],
  // Plain text on loopback only: there is no TLS here, and the credentials are lab credentials.
  allowInsecureAuth: true,
  size: MAX_MESSAGE_BYTES,
  rejectOversized: true,
  closeTimeout: 1000,
  logger: false,
  onAuth(a, _session, callback) {
    if (auth === 'any' || (a.username === auth.user && a.password === auth.pass)) {
      callback(null, { user: a.username });
      return;
    }
    const err = new Error('Authentication credentials invalid');
    err.responseCode = 535;
    callback(err);
  },
  onRcptTo(address, _session, callback) {
    if (rejectRcpt.some((re) => re.test(address.address))) {
      const err = new Error(`<${address.address}>: Recipient address rejected: mailbox unavailable`);
      err.responseCode = 550;
      callback(err);
      return;
    }
    callback();
  },
  onData(stream, session, callback) {
    const chunks = [];
    let size = 0;
    stream.on('data', (chunk) => {
      size += chunk.length;
      if (size <= MAX_MESSAGE_BYTES) chunks.push(chunk);
    });
    stream.on('error', callback);
    stream.on('end', async () => {
      if (stream.sizeExceeded) {
        callback(); // rejectOversized answers 552 itself
        return;
      }
      try {
        const raw = Buffer.concat(chunks);
        const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextLinks: true });
        const id = newId();
        const fromHeader = addressList(parsed.from);
        store({
          id,
          receivedAt: new Date().toISOString(),
          envelope: {
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address.toLowerCase() : '',
            rcptTo: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          },
          authUser: session.user ?? null,
          messageId: parsed.messageId ?? null,
          from: fromHeader[0]?.address ?? '',
          fromName: fromHeader[0]?.name ?? '',
          to: addressList(parsed.to),
          cc: addressList(parsed.cc),
          subject: parsed.subject ?? '',
          date: parsed.date ? parsed.date.toISOString() : null,
          text: parsed.text ?? '',
          html: typeof parsed.html === 'string' ? parsed.html : null,
          headers: Object.fromEntries(parsed.headerLines.map((h) => [h.key, h.line.slice(h.key.length + 1).trim()])),
          raw: raw.toString('utf8'),
        });
        callback(null, `Message queued as ${id}`);
      } catch (err) {
        const e = new Error(`Could not store the message: ${err.message}`);
        e.responseCode = 451;
        callback(e);
      }
    });
  },
});

// --- HTTP ---------------------------------------------------------------------------------------------------------

function escapeHtml(s) {
  return String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
}

function send(res, status, body, type = 'application/json; charset=utf-8') {
  const payload = type.startsWith('application/json') ? JSON.stringify(body) : body;
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // Message HTML is never rendered (only text), and the index needs no script at all.
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  });
  res.end(payload);
}

function indexPage(to) {
  const messages = list(to);
  const rows = messages
    .map(
      (m) => `<article>
<h2>${escapeHtml(m.subject || '(no subject)')}</h2>
<p class="meta">${escapeHtml(m.receivedAt)} · from ${escapeHtml(m.from)} · to ${escapeHtml(m.envelope.rcptTo.join(', '))}
· <a href="/messages/${escapeHtml(m.id)}">json</a></p>
<pre>${escapeHtml(m.text)}</pre>
</article>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>Unlock Desk mailbox (${messages.length})</title>
<style>body{font:14px system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}
article{border-top:1px solid #ccc;padding:.5rem 0}h2{font-size:1.05rem;margin:.2rem 0}.meta{color:#555;margin:.2rem 0}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.5rem}</style></head>
<body><h1>Unlock Desk development mailbox</h1>
<p>${messages.length} message(s)${to ? ` to ${escapeHtml(to)}` : ''}, newest first. SMTP on ${HOST}:${smtp.server.address().port}. This page refreshes every 5 seconds.</p>
${rows || '<p>No messages yet.</p>'}
</body></html>`;
}

const http = createServer((req, res) => {
  let url;
  try {
    url = new URL(req.url ?? '/', `http://${HOST}`);
  } catch {
    send(res, 400, { error: 'bad request' });
    return;
  }
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const to = url.searchParams.get('to') ?? undefined;
  try {
    if (req.method === 'GET' && path === '/') return send(res, 200, indexPage(to), 'text/html; charset=utf-8');
    if (req.method === 'GET' && path === '/health') return send(res, 200, { status: 'ok', messages: ids().length });
    if (req.method === 'GET' && path === '/messages') return send(res, 200, list(to));
    if (req.method === 'DELETE' && path === '/messages') return send(res, 200, { deleted: clear() });
    const m = /^\/messages\/([^/]+)$/.exec(path);
    if (m && req.method === 'GET') {
      const message = load(decodeURIComponent(m[1]));
      return message ? send(res, 200, message) : send(res, 404, { error: 'no such message' });
    }
    if (m && req.method === 'DELETE') {
      const id = decodeURIComponent(m[1]);
      if (!load(id)) return send(res, 404, { error: 'no such message' });
      unlinkSync(join(dir, `${id}.json`));
      return send(res, 200, { deleted: 1 });
    }
    if (['/', '/health', '/messages'].includes(path) || m) return send(res, 405, { error: 'method not allowed' });
    return send(res, 404, { error: 'not found' });
  } catch (err) {
    return send(res, 500, { error: err.message });
  }
});

// --- lifecycle ----------------------------------------------------------------------------------------------------

function listen(server, port) {
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
}

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  const timer = setTimeout(() => process.exit(0), 3000);
  timer.unref();
  http.closeAllConnections?.();
  let open = 2;
  const done = () => {
    if (--open === 0) process.exit(0);
  };
  http.close(done);
  smtp.close(done);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

try {
  await listen(smtp.server, smtpPort);
  await listen(http, httpPort);
} catch (err) {
  process.stderr.write(`mailbox: cannot listen: ${err.message}\n`);
  process.exit(err.code === 'EADDRINUSE' ? 75 : 1);
}
smtp.on('error', (err) => process.stderr.write(`mailbox: smtp: ${err.message}\n`));
process.stdout.write(
  `${JSON.stringify({ smtpPort: smtp.server.address().port, httpPort: http.address().port, pid: process.pid })}\n`,
);
