// Two-person break-glass for an unenrolled user, with two browsers: a restricted agent (no Unlock Any Account) asks,
// an administrator approves from the Helpdesk page, the agent's open dialog follows the case and the unlock goes
// through, read back from the real Samba AD DC; the history shows the request, the approval and the unlock. Closing
// the dialog while waiting loses nothing.
import { expect, openUnlockDialog, signInPage, test } from '../fixtures';

test.use({ viewport: { width: 1280, height: 720 } });

test('break-glass: a restricted agent asks, a second agent approves, the unenrolled user is unlocked and the history says who approved', async ({
  page,
  browser,
  baseURL,
  signIn,
  directory,
  screens,
}) => {
  await directory.lockAd('dave');
  await signIn('agent');
  let dialog = await openUnlockDialog(page, 'dave', 'Dave Dunn');
  await expect(dialog.getByRole('alert').filter({ hasText: 'Unlock not allowed' })).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Unlock', exact: true })).toBeDisabled();

  // Too short a reason is refused in the form; then the agent asks with a reason and a ticket.
  const reason = dialog.getByRole('textbox', { name: 'Reason for the approval' });
  await reason.fill('badge');
  await dialog.getByRole('button', { name: 'Ask for approval' }).click();
  await expect(reason).toBeFocused();
  await reason.fill('Dave is at the front desk with his badge and is not enrolled yet');
  await dialog.getByRole('textbox', { name: 'Ticket reference for the approval' }).fill('INC-4711');
  await dialog.getByRole('button', { name: 'Ask for approval' }).click();
  await expect(dialog.getByRole('status')).toContainText('Waiting for a second agent');
  await screens.save('12-break-glass-pending');
  // Closing the dialog while waiting loses nothing: reopened, it picks the request up again.
  await dialog.getByRole('button', { name: 'Close' }).click();
  dialog = await openUnlockDialog(page, 'dave', 'Dave Dunn');
  await expect(dialog.getByRole('status')).toContainText('Waiting for a second agent');
  await expect(dialog.getByRole('button', { name: 'Ask for approval' })).toHaveCount(0);

  // A second agent, in another browser, sees the request on the Helpdesk page and approves it.
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 720 } });
  try {
    const second = await context.newPage();
    await signInPage(second, 'admin');
    const row = second.getByRole('listitem', { name: 'Approval for Dave Dunn' });
    await expect(row).toContainText('Hanna Agent asks to unlock Dave Dunn');
    await expect(row).toContainText('Reason: Dave is at the front desk with his badge and is not enrolled yet');
    await expect(row).toContainText('Ticket INC-4711');
    await row.getByRole('textbox', { name: 'Comment on the request for Dave Dunn' }).fill('Badge checked by phone');
    await screens.save('13-break-glass-approval-waiting', second);
    await row.getByRole('button', { name: 'Approve' }).click();
    await expect(second.getByRole('listitem', { name: 'Approval for Dave Dunn' })).toHaveCount(0);
  } finally {
    await context.close();
  }

  // The agent's dialog follows the case: approved, and the unlock is allowed now.
  await expect(dialog.getByRole('status')).toContainText('Approved by Henry Admin', { timeout: 15_000 });
  await expect(dialog.getByText('Comment: “Badge checked by phone”')).toBeVisible();
  const unlock = dialog.getByRole('button', { name: 'Unlock', exact: true });
  await expect(unlock).toBeEnabled();
  await unlock.click();
  const result = dialog.getByRole('list', { name: 'Unlock results' }).getByRole('listitem');
  await expect(result).toContainText('Unlocked');
  await expect(result).toContainText('Read back from the directory: Not locked');
  await expect(dialog.getByRole('button', { name: 'Done' })).toBeVisible();
  await screens.save('14-break-glass-unlocked');
  expect(await directory.canBindAd('dave', 'DavePass1!')).toBe(true);

  // The user's history tells the story, naming the second agent.
  await dialog.getByRole('button', { name: 'History' }).click();
  const history = dialog.getByRole('list', { name: 'History' });
  await expect(history).toContainText("asked for a second agent's approval to unlock Dave Dunn");
  await expect(history).toContainText('Henry Admin approved the break-glass unlock of Dave Dunn');
  await expect(history).toContainText('break-glass approved by Henry Admin');
});
