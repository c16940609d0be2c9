import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.loader';

// `npm start` writes its configuration with backend/scripts/demo-config.mjs from the labs' KEY=value output; the
// backend must accept it as is (a rejected demo configuration means the quick start does not start).
describe('the demo configuration written by npm start', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'unlockdesk-demo-config-'));
    writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    writeFileSync(
      join(dir, 'ad.env'),
      [
        'LAB_KIND=samba-ad',
        `LAB_DIR=${dir}/ad`,
        'LDAP_URL=ldaps://127.0.10.1:636',
        'LDAP_BASE=DC=example,DC=test',
        `LDAP_CA_FILE=${dir}/ca.pem`,
        'LDAP_HELPDESK_DN=CN=svc-helpdesk,OU=Service Accounts,DC=example,DC=test',
        'LDAP_HELPDESK_PW=HelpdeskSvc1!',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'ldap.env'),
      [
        'LAB_KIND=openldap',
        `LAB_DIR=${dir}/ldap`,
        'LDAP_URL=ldap://127.0.0.1:13389',
        'LDAP_BASE=dc=example,dc=test',
        'LDAP_HELPDESK_DN=cn=helpdesk,ou=services,dc=example,dc=test',
        'LDAP_HELPDESK_PW=Helpdesk-Pass-1',
      ].join('\n'),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads without problems, keeps passwords in owner-only files, and defines roles for the lab groups', () => {
    const script = join(__dirname, '..', '..', 'scripts', 'demo-config.mjs');
    const yaml = execFileSync(process.execPath, [script, join(dir, 'ad.env'), join(dir, 'ldap.env')], {
      encoding: 'utf8',
    });
    writeFileSync(join(dir, 'unlockdesk.yaml'), yaml);
    expect(yaml).not.toContain('HelpdeskSvc1!');
    expect(yaml).not.toContain('Helpdesk-Pass-1');
    expect(statSync(join(dir, 'corp-ad.password')).mode & 0o077).toBe(0);
    expect(readFileSync(join(dir, 'corp-ad.password'), 'utf8')).toBe('HelpdeskSvc1!');

    const { config } = loadConfig({
      env: { UNLOCKDESK_CONFIG: join(dir, 'unlockdesk.yaml'), UNLOCKDESK_DATA_DIR: dir },
    });
    expect(config.identityStores.map((s) => [s.id, s.type])).toEqual([
      ['corp-ad', 'active-directory'],
      ['corp-ldap', 'ldap'],
      ['cloud-entra', 'entra-id'],
    ]);
    const roleGroups = (config as unknown as { roles: { mappedGroups: { group: string }[] }[] }).roles.flatMap((r) =>
      r.mappedGroups.map((g) => g.group),
    );
    expect(roleGroups).toEqual(expect.arrayContaining(['Helpdesk Agents', 'Unlock Desk Admins', 'Auditors']));
  });

  it('sends mail to the demo mailbox over SMTP when its ports are given', () => {
    const script = join(__dirname, '..', '..', 'scripts', 'demo-config.mjs');
    writeFileSync(join(dir, 'mailbox.json'), JSON.stringify({ smtpPort: 2525, httpPort: 8025, pid: 1 }));
    const yaml = execFileSync(
      process.execPath,
      [script, join(dir, 'ad.env'), join(dir, 'ldap.env'), join(dir, 'mailbox.json')],
      {
        encoding: 'utf8',
      },
    );
    writeFileSync(join(dir, 'with-mailbox.yaml'), yaml);
    const { config } = loadConfig({
      env: { UNLOCKDESK_CONFIG: join(dir, 'with-mailbox.yaml'), UNLOCKDESK_DATA_DIR: dir },
    });
    expect(config.notifications.mail).toMatchObject({
      type: 'smtp',
      smtp: { host: '127.0.0.1', port: 2525, tls: 'none' },
    });
  });
});
