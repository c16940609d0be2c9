// Locks a demo user out the way it happens for real: three wrong passwords against the demo directory.
// Usage (while `npm start` runs): npm run demo:lock -- alice [corp-ad|corp-ldap]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'ldapts';

const [username = 'alice', store = 'corp-ad'] = process.argv.slice(2);
const demo = join(process.env.UNLOCKDESK_DATA_DIR ?? join(import.meta.dirname, '..', '..', '.data'), 'demo');
const env = (file) =>
  Object.fromEntries(
    readFileSync(join(demo, file), 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
const lab = env(store === 'corp-ldap' ? 'ldap.env' : 'ad.env');
const bindName = store === 'corp-ldap' ? `uid=${username},ou=people,${lab.LDAP_BASE}` : `${username}@example.test`;
const tlsOptions = lab.LDAP_CA_FILE ? { ca: [readFileSync(lab.LDAP_CA_FILE)] } : undefined;

for (let i = 1; i <= 3; i++) {
  const client = new Client({ url: lab.LDAP_URL, tlsOptions, timeout: 5000, connectTimeout: 5000 });
  try {
    await client.bind(bindName, `wrong-password-${i}`);
  } catch (err) {
    console.log(`wrong password ${i}: ${err.code === 49 ? 'rejected' : err.message}`);
  } finally {
    await client.unbind().catch(() => {});
  }
}
console.log(`${username} in ${store} should now be locked; search for them in the admin console.`);
