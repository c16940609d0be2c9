/**
 * Unlock Account journeys in real Chromium against the real backend, a real Samba AD DC, a real OpenLDAP with
 * ppolicy and a real SMTP mailbox (global-setup.ts). Users are locked with real failed binds; codes are read from
 * the mailbox. Each journey uses its own seed user, so they do not depend on each other's order.
 */
import { expect, findUser, openUnlockDialog, QUESTIONS, test } from '../fixtures';

test('restricted mode: Next stays disabled until security questions and an e-mail code are verified; AD and linked OpenLDAP accounts are unlocked together, read back, and the history shows each step', async ({
  page,
  signIn,
  directory,
  mailbox,
  screens,
}) => {
  await directory.lockAd('carol');
  await directory.lockLdap('carol');
  expect(await directory.canBindAd('carol', 'CarolPass1!')).toBe(false);

  await signIn('agent');
  const dialog = await openUnlockDialog(page, 'carol', 'Corp Active Directory');
  await expect(dialog.getByText('Helpdesk agent')).toBeVisible();
  await expect(dialog.getByText(/verify 2 of the user's enrolled types/)).toBeVisible();
  const next = dialog.getByRole('button', { name: 'Next' });
  await expect(dialog.getByText('0 of 2 verified')).toBeVisible();
  await expect(next).toBeDisabled();
  await expect(dialog.getByRole('button', { name: 'Skip authentication' })).toHaveCount(0);
  await screens.save('01-authenticate-restricted');

  // A wrong answer is rejected with the backend's message; the right ones are accepted whatever the case.
  const first = dialog.getByRole('textbox', { name: 'Answer to question 1' });
  await expect(first).toBeFocused();
  await first.fill('Fluffy');
  await first.press('Enter');
  await expect(dialog.getByText('That is not right')).toBeVisible();
  await first.fill(QUESTIONS[0].answer.toUpperCase());
  await dialog.getByRole('form', { name: 'Answer to question 1' }).getByRole('button', { name: 'Verify' }).click();
  await expect(dialog.getByRole('form', { name: 'Answer to question 1' }).getByText('Verified')).toBeVisible();
  const second = dialog.getByRole('textbox', { name: 'Answer to question 2' });
  await second.fill(` ${QUESTIONS[1].answer} `);
  await second.press('Enter');
  await expect(dialog.getByText('1 of 2 verified')).toBeVisible();
  await expect(next).toBeDisabled();

  // The e-mail code goes to the enrolled address through the real SMTP server; the caller reads it back.
  const since = new Date().toISOString();
  await dialog.getByRole('button', { name: 'Send code to c***@example.test' }).click();
  const code = await mailbox.waitForCode('carol@example.test', since);
  const codeBox = dialog.getByRole('textbox', { name: 'E-mail code' });
  await expect(codeBox).toBeFocused();
  await codeBox.fill(code);
  await codeBox.press('Enter');
  await expect(dialog.getByText(/^Authenticated \(2 of 2 verified\)/)).toBeVisible();
  await expect(next).toBeEnabled();
  await screens.save('02-authenticate-met');

  await next.click();
  const own = dialog.getByRole('checkbox', { name: /Carol Clark \(carol\) in Corp Active Directory/ });
  const linked = dialog.getByRole('checkbox', { name: /Carol Clark \(carol\) in Corp OpenLDAP — linked account/ });
  await expect(own).toBeChecked();
  await expect(linked).toBeChecked();
  await expect(dialog.getByText('Failed attempts', { exact: true })).toBeVisible();
  await dialog.getByLabel('Ticket reference').fill('INC-1001');
  await screens.save('03-unlock-page');

  await dialog.getByRole('button', { name: 'Unlock 2 accounts' }).click();
  const results = dialog.getByRole('list', { name: 'Unlock results' }).getByRole('listitem');
  await expect(results).toHaveCount(2);
  for (const store of ['Corp Active Directory', 'Corp OpenLDAP']) {
    const r = results.filter({ hasText: `in ${store}` });
    await expect(r).toContainText('Unlocked');
    await expect(r).toContainText('Read back from the directory: Not locked');
  }
  await expect(dialog.getByText('The user was told by e-mail (c***@example.test).')).toBeVisible();
  await expect(dialog.getByText('Locked', { exact: true })).toHaveCount(0); // the profile was read again
  await expect(dialog.getByRole('button', { name: 'Done' })).toBeVisible();
  await screens.save('04-unlock-results');
  expect(await directory.canBindAd('carol', 'CarolPass1!')).toBe(true);
  expect(await directory.canBindLdap('carol', 'Carol-Pass-1')).toBe(true);
  await mailbox.waitFor('carol@example.test', (m) => m.receivedAt >= since && /unlocked/i.test(m.subject));

  // History: every step of this case, newest first, as sentences and as a table.
  await dialog.getByRole('button', { name: 'History' }).click();
  const history = dialog.getByRole('list', { name: 'History' });
  for (const sentence of [
    'Hanna Agent opened a case for Carol Clark in Corp Active Directory',
    /Carol Clark answered security question "What was the name of your first pet\?" wrongly/,
    /Carol Clark answered security question "In which city were you born\?" correctly/,
    /Hanna Agent sent an e-mail code to Carol Clark at c\*\*\*@example.test/,
    'Carol Clark confirmed the e-mail code',
    /Hanna Agent authenticated Carol Clark with security questions, e-mail code/,
    /Hanna Agent unlocked Carol Clark in Corp Active Directory \(read back: not locked\)/,
    // The linked OpenLDAP account by its display name (its DN only gives the username "carol").
    /Hanna Agent unlocked Carol Clark in Corp OpenLDAP \(read back: not locked\)/,
    'Carol Clark was told by e-mail (c***@example.test) that Hanna Agent unlocked 2 of their accounts',
  ]) {
    await expect(history.getByText(sentence).first()).toBeVisible();
  }
  const sentences = await history.getByRole('listitem').allTextContents();
  const newest = sentences.findIndex((s) => s.includes('unlocked Carol Clark'));
  const opened = sentences.findIndex((s) => s.includes('opened a case'));
  expect(newest).toBeLessThan(opened);
  await screens.save('05-history-sentences');
  await dialog.getByText('Table', { exact: true }).click();
  const table = dialog.getByRole('table', { name: 'History table' });
  await expect(table.getByRole('row').filter({ hasText: 'unlock.succeeded' }).first()).toContainText('INC-1001');
  await screens.save('06-history-table');

  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect((await findUser(page, 'carol', 'Corp Active Directory')).getByText('Not locked')).toBeVisible();
});

test('unrestricted mode: the administrator skips Authenticate, by keyboard, and unlocks the user', async ({
  page,
  signIn,
  directory,
  screens,
}) => {
  await directory.lockAd('alice');
  await signIn('admin');
  const row = await findUser(page, 'alice', 'Corp Active Directory');
  // Keyboard only: the row menu, the menu item, the dialog's buttons.
  await row.getByRole('button', { name: /^Actions for / }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('menuitem', { name: 'Unlock Account' })).toBeVisible();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('menuitem', { name: 'Unlock Account' })).toBeFocused();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: /Unlock Account — Alice Anders/ });
  await expect(dialog.getByText(/Administrator policy \(unrestricted\)/)).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Next' })).toBeDisabled();
  const skip = dialog.getByRole('button', { name: 'Skip authentication' });
  await expect(skip).toBeEnabled();
  await screens.save('07-authenticate-unrestricted');
  await skip.focus();
  await page.keyboard.press('Enter');

  await expect(dialog.getByRole('checkbox', { name: /Alice Anders \(alice\) in Corp Active Directory/ })).toBeChecked();
  await expect(dialog.getByText(/1 other linked account is not locked/)).toBeVisible();
  await dialog.getByRole('button', { name: 'Unlock', exact: true }).focus();
  await page.keyboard.press('Enter');
  const result = dialog.getByRole('list', { name: 'Unlock results' }).getByRole('listitem');
  await expect(result).toHaveCount(1);
  await expect(result).toContainText('Unlocked');
  await expect(result).toContainText('Read back from the directory: Not locked');
  expect(await directory.canBindAd('alice', 'AlicePass1!')).toBe(true);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(row.getByRole('button', { name: /^Actions for / })).toBeFocused();
});

test('unenrolled user: only the Unlock page; refused with the reason for a restricted agent, unlocked by a role with Unlock Any Account in unrestricted mode', async ({
  page,
  signIn,
  signOut,
  directory,
  screens,
}) => {
  await directory.lockAd('dave');
  await signIn('agent');
  let dialog = await openUnlockDialog(page, 'dave', 'Dave Dunn');
  await expect(dialog.getByText(/the user is not enrolled: no Authenticate page/)).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Next' })).toHaveCount(0);
  await expect(dialog.getByRole('alert').filter({ hasText: 'Unlock not allowed' })).toContainText(
    'The user is not enrolled; unenrolled users can be unlocked only with the Unlock Any Account permission and an unrestricted helpdesk policy',
  );
  await expect(dialog.getByRole('button', { name: 'Unlock', exact: true })).toBeDisabled();
  await screens.save('08-unenrolled-refused');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await signOut();

  await signIn('admin');
  dialog = await openUnlockDialog(page, 'dave', 'Dave Dunn');
  await expect(dialog.getByRole('alert').filter({ hasText: 'Unlock not allowed' })).toHaveCount(0);
  await dialog.getByLabel('Comment').fill('Called from the front desk; identity checked in person');
  await dialog.getByRole('button', { name: 'Unlock', exact: true }).click();
  const result = dialog.getByRole('list', { name: 'Unlock results' }).getByRole('listitem');
  await expect(result).toContainText('Unlocked');
  await expect(result).toContainText('Read back from the directory: Not locked');
  await screens.save('09-unenrolled-unlocked');
  expect(await directory.canBindAd('dave', 'DavePass1!')).toBe(true);
});
