import { describe, expect, it } from '@jest/globals';
import {
  formatTime,
  oneLine,
  unlockNotificationEmail,
  verificationCodeEmail,
  verificationCodeSms,
} from '../../src/notifications/templates';

const notice = {
  recipientName: 'Jane Doe',
  recipientAddress: 'jane.doe@example.com',
  accounts: [{ storeName: 'Corporate AD', username: 'jdoe' }],
  unlockedAt: new Date('2026-03-04T09:15:00Z'),
  agentDisplayName: 'Alice Agent',
};

describe('verification code email', () => {
  it('has the agreed sentence, the code only in the body, and an HTML part', () => {
    const m = verificationCodeEmail({ code: '123456' });
    expect(m.subject).toBe('Your Unlock Desk verification code');
    expect(m.text.split('\n')[0]).toBe(
      'Your Unlock Desk verification code is 123456. It expires in 5 minutes. If you did not call the helpdesk, tell your security team.',
    );
    expect(m.html).toContain('>123456<');
    expect(m.subject).not.toMatch(/\d/);
  });

  it('uses the given lifetime, singular for one minute', () => {
    expect(verificationCodeEmail({ code: '123456', expiresInMinutes: 10 }).text).toContain('expires in 10 minutes.');
    expect(verificationCodeEmail({ code: '123456', expiresInMinutes: 1 }).text).toContain('expires in 1 minute.');
  });

  it('contains no digits other than the code and the lifetime (no other secret, no destination)', () => {
    const m = verificationCodeEmail({ code: '987654', expiresInMinutes: 5 });
    expect(m.text.match(/\d+/g)).toEqual(['987654', '5']);
  });

  it('refuses something that is not a code, without echoing it', () => {
    for (const code of ['12345', '12345678901', 'abcdef', '123 456', '<b>123456</b>']) {
      expect(() => verificationCodeEmail({ code })).toThrow(RangeError);
      try {
        verificationCodeEmail({ code });
      } catch (err) {
        expect((err as Error).message).not.toContain(code);
      }
    }
    expect(() => verificationCodeEmail({ code: '123456', expiresInMinutes: 0 })).toThrow(RangeError);
    expect(() => verificationCodeEmail({ code: '123456', expiresInMinutes: 2.5 })).toThrow(RangeError);
  });
});

describe('verification code SMS', () => {
  it('is short, GSM-7 only, and carries the code and the warning', () => {
    const { text } = verificationCodeSms({ code: '123456' });
    expect(text).toBe(
      'Unlock Desk code: 123456. Expires in 5 min. Did not call the helpdesk? Tell your security team.',
    );
    expect(text.length).toBeLessThanOrEqual(160);
    expect(/^[A-Za-z0-9 .:?@,'-]*$/.test(text)).toBe(true);
    expect(verificationCodeSms({ code: '1234567890', expiresInMinutes: 1440 }).text.length).toBeLessThanOrEqual(160);
  });

  it('refuses a malformed code', () => {
    expect(() => verificationCodeSms({ code: '12ab56' })).toThrow(RangeError);
  });
});

describe('unlock notification email', () => {
  it('says which account, when, by whom, and what to do if it was not you', () => {
    const m = unlockNotificationEmail({ ...notice, ticket: 'INC-4711', securityContact: 'security@example.com' });
    expect(m.subject).toBe('Your account was unlocked by the Unlock Desk helpdesk');
    expect(m.text).toContain('Hello Jane Doe,');
    expect(m.text).toContain('  - jdoe (Corporate AD)');
    expect(m.text).toContain('When:   4 March 2026 at 09:15 (UTC)');
    expect(m.text).toContain('By:     Alice Agent (helpdesk agent)');
    expect(m.text).toContain('Ticket: INC-4711');
    expect(m.text).toContain('If you did not ask the helpdesk to unlock this account');
    expect(m.text).toContain('tell your security team now (security@example.com) and change your password');
    expect(m.html).toContain('<li>jdoe (Corporate AD)</li>');
  });

  it('shows the destination only masked', () => {
    const m = unlockNotificationEmail(notice);
    expect(m.text).toContain('sent to j***@example.com');
    expect(m.text).not.toContain('jane.doe@');
    expect(m.html).not.toContain('jane.doe@');
  });

  it('plural subject and wording for several accounts; no ticket line without a ticket', () => {
    const m = unlockNotificationEmail({
      ...notice,
      accounts: [...notice.accounts, { storeName: 'Linux LDAP', username: 'jane' }],
    });
    expect(m.subject).toBe('Your accounts were unlocked by the Unlock Desk helpdesk');
    expect(m.text).toContain('unlocked these accounts of yours:');
    expect(m.text).toContain('  - jane (Linux LDAP)');
    expect(m.text).not.toContain('Ticket:');
    expect(m.html).not.toContain('Ticket');
  });

  it('escapes HTML and flattens control characters in display names and ticket references', () => {
    const m = unlockNotificationEmail({
      ...notice,
      agentDisplayName: '<script>alert(1)</script>',
      ticket: 'INC-1\r\nBcc: evil@example.com',
      recipientName: 'Jane\u202eeoD',
    });
    expect(m.html).not.toContain('<script>');
    expect(m.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(m.text).toContain('Ticket: INC-1 Bcc: evil@example.com');
    expect(m.text).not.toMatch(/INC-1[\r\n]/);
    expect(m.text).not.toContain('\u202e');
  });

  it('uses a configured time zone', () => {
    const m = unlockNotificationEmail({ ...notice, timeZone: 'Europe/Berlin' });
    expect(m.text).toContain('4 March 2026 at 10:15 (Europe/Berlin)');
  });

  it('contains no secrets: no code-like numbers, no DN, no password words', () => {
    const m = unlockNotificationEmail(notice);
    expect(m.text).not.toMatch(/\b\d{6,}\b/);
    expect(m.text).not.toMatch(/(?:CN|OU|DC|uid)=/i);
    expect(m.text).not.toMatch(/password is|your new password|temporary password/i);
  });

  it('refuses an empty account list and an invalid date', () => {
    expect(() => unlockNotificationEmail({ ...notice, accounts: [] })).toThrow(RangeError);
    expect(() => unlockNotificationEmail({ ...notice, unlockedAt: new Date('nope') })).toThrow(RangeError);
  });
});

describe('helpers', () => {
  it('oneLine bounds length and strips control characters', () => {
    expect(oneLine('a\tb\nc\u0000d')).toBe('a b c d');
    expect(oneLine('x'.repeat(200), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(oneLine(undefined)).toBe('');
  });

  it('formatTime defaults to UTC', () => {
    expect(formatTime(new Date('2026-12-31T23:59:00Z'))).toBe('31 December 2026 at 23:59 (UTC)');
  });
});
