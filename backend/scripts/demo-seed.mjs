// Seeds the demo for `npm start` through the product's own API (signed in as the demo administrator): enrollments
// (POST /api/enrollments/import), so the Authenticate page can be tried at once (importing again records nothing new),
// and a walk-up kiosk for the demo AD when no kiosk is active yet (POST /api/kiosks). Progress goes to stderr; stdout
// is one line for the start message: how to activate the demo kiosk (or that it is active already).
// Usage: node demo-seed.mjs http://127.0.0.1:8080
const base = process.argv[2];

async function call(method, path, body, headers = {}) {
  const res = await fetch(`${base}/api${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return { res, body: text ? JSON.parse(text) : undefined };
}

const signIn = await call('POST', '/session', { storeId: 'corp-ad', username: 'hd.admin', password: 'AdminPass1!' });
const cookie = signIn.res.headers.get('set-cookie').split(';')[0];
const auth = { Cookie: cookie, 'X-CSRF-Token': signIn.body.csrfToken };
const questions = [
  { question: 'What was the name of your first pet?', answer: 'Biscuit' },
  { question: 'In which city were you born?', answer: 'Lisbon' },
  { question: 'What is your favourite colour?', answer: 'Teal' },
];
const rows = [
  // alice: security questions and email: a restricted agent (2 types) can authenticate her.
  { storeId: 'corp-ad', username: 'alice', securityQuestions: questions, email: 'alice@example.test' },
  { storeId: 'corp-ldap', username: 'alice', securityQuestions: questions, email: 'alice@example.test' },
  // carol: security questions and an authenticator app (secret below, base32).
  { storeId: 'corp-ad', username: 'carol', securityQuestions: questions, authenticatorSecret: 'JBSWY3DPEHPK3PXP' },
];
const imported = await call('POST', '/enrollments/import', rows, auth);
const counts = {};
for (const r of imported.body.rows ?? imported.body.results ?? []) counts[r.status] = (counts[r.status] ?? 0) + 1;
console.error(`demo enrollments: ${JSON.stringify(counts)}`);

// The demo kiosk: registered once; a new activation code while none is active (a code is shown only when issued).
const { kiosks } = (await call('GET', '/kiosks', undefined, auth)).body;
const active = kiosks.find((k) => k.status === 'active');
if (active) {
  console.log(`${active.name} is activated (open the kiosk URL in the browser it was activated in)`);
} else {
  const registered = await call(
    'POST',
    '/kiosks',
    { name: 'Lobby kiosk', location: 'Main entrance', storeId: 'corp-ad' },
    auth,
  );
  console.log(`activate it with the code ${registered.body.activationCode} (valid 24 h)`);
}
await call('DELETE', '/session', undefined, auth);
