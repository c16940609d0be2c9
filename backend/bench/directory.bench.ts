// Directory benchmark: search latency and unlock round trip (with read-back) through the product's adapters, each
// beside the same LDAP operations issued directly with ldapts in the same run (the directory's own floor).
// Real Samba AD DC and OpenLDAP (ppolicy) labs seeded with LAB_EXTRA_USERS users (default 10,000).
//
//   node -r @swc-node/register bench/directory.bench.ts        (standalone; also run by `npm run bench`)
//   BENCH_USERS=10000 BENCH_SEARCHES=300 BENCH_UNLOCKS=150 BENCH_STORES=ad,ldap
//
// Targets (issue 4): overhead over the floor < 3 ms at p95; search p95 < 50 ms; unlock with read-back p95 < 30 ms.
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { Attribute, Change, Client, Control } from 'ldapts';
import type { LdapStoreConfig } from '../src/config/config.types';
import { ActiveDirectoryStore } from '../src/directory/active-directory.store';
import type { DirectoryAccount, StoreSearchQuery } from '../src/directory/identity-store';
import type { LdapIdentityStore } from '../src/directory/ldap-store.base';
import { OpenLdapStore, RELAX_RULES_OID } from '../src/directory/openldap.store';
import { adStore, ldapStore } from '../test/directory/support';
import { type Lab, startOpenLdap, startSambaAd } from '../test/labs/labs';

const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const SEARCHES = Number(process.env.BENCH_SEARCHES ?? 300);
const UNLOCKS = Number(process.env.BENCH_UNLOCKS ?? 150);
const WARMUP = 30;
const STORES = (process.env.BENCH_STORES ?? 'ad,ldap').split(',');
const TARGET = { overheadP95: 3, searchP95: 50, unlockP95: 30 };

interface Row {
  store: string;
  op: string;
  product: number[];
  floor: number[];
  target: number;
}

function pct(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

const pad = (n: number) => String(n).padStart(5, '0');
const randomUser = () => 1 + Math.floor(Math.random() * USERS);

/** A bound service-account client with the store's transport, for the direct (floor) operations. */
async function directClient(lab: Lab, config: LdapStoreConfig): Promise<Client> {
  const client = new Client({ url: lab.url, tlsOptions: lab.tlsOptions, timeout: 10_000, connectTimeout: 5_000 });
  await client.bind(config.bind.dn, config.bind.password.reveal());
  return client;
}

async function benchStore(
  name: string,
  lab: Lab,
  config: LdapStoreConfig,
  store: LdapIdentityStore,
  unlockChanges: () => Change[],
  unlockControls: Control[] | undefined,
): Promise<Row[]> {
  const direct = await directClient(lab, config);
  try {
    // Search: a prefix search over all fields for one of the 10,000 users, as the helpdesk types a username.
    const query = (): StoreSearchQuery => ({ text: `user${pad(randomUser())}`, limit: 50 });
    const productSearch = (q: StoreSearchQuery) => store.search(q);
    const directSearch = async (q: StoreSearchQuery) => {
      // The same LDAP operation: same base, filter, attributes and paging control.
      const res = await direct.search(config.userBaseDns[0], {
        scope: 'sub',
        filter: store.buildSearchFilter(q),
        attributes: store.searchAttributeList,
        explicitBufferAttributes: config.type === 'active-directory' ? ['objectGUID'] : [],
        paged: { pageSize: Math.min(config.pageSize, 50) },
      });
      return res.searchEntries;
    };
    for (let i = 0; i < WARMUP; i++) {
      const q = query();
      const [a, b] = [await productSearch(q), await directSearch(q)];
      if (a.length !== b.length)
        throw new Error(`${name}: product found ${a.length}, direct ${b.length} for ${q.text}`);
    }
    const search: Row = {
      store: name,
      op: 'search (prefix, all fields)',
      product: [],
      floor: [],
      target: TARGET.searchP95,
    };
    for (let i = 0; i < SEARCHES; i++) {
      const q = query();
      // Alternate the order so neither side always runs on a warmer cache.
      if (i % 2) {
        search.product.push(await time(() => productSearch(q)));
        search.floor.push(await time(() => directSearch(q)));
      } else {
        search.floor.push(await time(() => directSearch(q)));
        search.product.push(await time(() => productSearch(q)));
      }
    }

    // Unlock round trip incl. read-back. Product: look the account up by stable id, write, read back.
    // Floor: the write and the read-back only (modify + base search), as a script that already knows the DN would.
    const accounts: DirectoryAccount[] = [];
    while (accounts.length < 40) {
      const a = await store.findByUsername(`user${pad(randomUser())}`);
      if (a && !accounts.some((x) => x.id === a.id)) accounts.push(a);
    }
    const directUnlock = async (a: DirectoryAccount) => {
      await direct.modify(a.dn, unlockChanges(), unlockControls);
      await direct.search(a.dn, {
        scope: 'base',
        attributes: store.searchAttributeList,
        explicitBufferAttributes: config.type === 'active-directory' ? ['objectGUID'] : [],
      });
    };
    const productUnlock = async (a: DirectoryAccount) => {
      const r = await store.unlock(a.id);
      if (r.outcome !== 'unlocked') throw new Error(`${name}: unlock of ${a.username} gave ${JSON.stringify(r)}`);
    };
    for (let i = 0; i < 10; i++) {
      await productUnlock(accounts[i % accounts.length]);
      await directUnlock(accounts[i % accounts.length]);
    }
    const unlock: Row = { store: name, op: 'unlock + read-back', product: [], floor: [], target: TARGET.unlockP95 };
    for (let i = 0; i < UNLOCKS; i++) {
      const a = accounts[i % accounts.length];
      if (i % 2) {
        unlock.product.push(await time(() => productUnlock(a)));
        unlock.floor.push(await time(() => directUnlock(a)));
      } else {
        unlock.floor.push(await time(() => directUnlock(a)));
        unlock.product.push(await time(() => productUnlock(a)));
      }
    }
    return [search, unlock];
  } finally {
    await direct.unbind().catch(() => {});
    await store.close();
  }
}

function table(rows: Row[]): string {
  const f = (n: number) => n.toFixed(2).padStart(7);
  const lines = [
    `${'store'.padEnd(6)} ${'operation'.padEnd(28)} ${'n'.padStart(4)} | ${'product p50'.padStart(11)} ${'p95'.padStart(7)} | ${'ldapts p50'.padStart(10)} ${'p95'.padStart(7)} | ${'overhead p50'.padStart(12)} ${'p95'.padStart(7)} | verdict`,
  ];
  for (const r of rows) {
    const [pp50, pp95, fp50, fp95] = [pct(r.product, 50), pct(r.product, 95), pct(r.floor, 50), pct(r.floor, 95)];
    const ok = pp95 - fp95 < TARGET.overheadP95 && pp95 < r.target;
    lines.push(
      `${r.store.padEnd(6)} ${r.op.padEnd(28)} ${String(r.product.length).padStart(4)} | ${f(pp50).padStart(11)} ${f(pp95)} | ${f(fp50).padStart(10)} ${f(fp95)} | ${f(pp50 - fp50).padStart(12)} ${f(pp95 - fp95)} | ${ok ? 'ok' : 'MISSED'} (p95 < ${r.target} ms, overhead < ${TARGET.overheadP95} ms)`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const labs: Lab[] = [];
  const failures: string[] = [];
  const attempt = async (name: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      failures.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  try {
    await attempt('ldap', async () => {
      if (!STORES.includes('ldap')) return;
      const t0 = performance.now();
      const lab = await startOpenLdap({ extraUsers: USERS });
      labs.push(lab);
      console.error(
        `[bench] OpenLDAP with ${USERS} extra users ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
      const config = ldapStore(lab);
      rows.push(
        ...(await benchStore(
          'ldap',
          lab,
          config,
          new OpenLdapStore(config),
          () => [
            new Change({
              operation: 'replace',
              modification: new Attribute({ type: 'pwdAccountLockedTime', values: [] }),
            }),
            new Change({ operation: 'replace', modification: new Attribute({ type: 'pwdFailureTime', values: [] }) }),
          ],
          [new Control(RELAX_RULES_OID, { critical: true })],
        )),
      );
    });
    await attempt('ad', async () => {
      if (!STORES.includes('ad')) return;
      const t0 = performance.now();
      const lab = await startSambaAd({ extraUsers: USERS });
      labs.push(lab);
      console.error(
        `[bench] Samba AD with ${USERS} extra users ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
      const config = adStore(lab, { userBaseDns: [`OU=Staff,${lab.base}`] });
      rows.push(
        ...(await benchStore(
          'ad',
          lab,
          config,
          new ActiveDirectoryStore(config),
          () => [
            new Change({ operation: 'replace', modification: new Attribute({ type: 'lockoutTime', values: ['0'] }) }),
          ],
          undefined,
        )),
      );
    });
  } finally {
    await Promise.all(labs.map((l) => l.stop().catch((e) => console.error(`[bench] stop failed: ${e}`))));
  }
  console.log(
    `\nDirectory benchmark: ${USERS} extra users per directory, loopback, ${SEARCHES} searches and ${UNLOCKS} unlocks per store (ms)`,
  );
  console.log(table(rows));
  console.log(
    '\nFloor = the same LDAP operations on one pre-bound ldapts client. The product unlock also looks the account up by its\n' +
      'stable id before writing (needed for the DN and the admin-lock refusal); the floor does only modify + read-back.',
  );
  if (failures.length) {
    console.error(`\n[bench] FAILED: ${failures.join('\n')}`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
