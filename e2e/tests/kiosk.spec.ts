// The walk-up kiosk end to end with three browsers: the administrator registers a kiosk and its activation code
// activates the kiosk's browser; a locked-out user asks for help at the kiosk (username → session code); a restricted
// helpdesk agent claims the session with the code the person reads out; the person answers the security questions and
// types the e-mailed code at the kiosk (real SMTP) while the agent watches the case fill in; the agent unlocks (read back
// from the real Samba AD DC) and the kiosk shows the result.
import { expect, QUESTIONS, signInPage, test } from '../fixtures';

test.use({ viewport: { width: 1280, height: 720 } });

test('kiosk: registered and activated, a locked-out user is verified at the kiosk and unlocked by an agent who claimed the session', async ({
  page,
  browser,
  baseURL,
  signIn,
  directory,
  mailbox,
  screens,
}) => {
  await directory.lockAd('alice');

  // The administrator registers the kiosk; its activation code is shown once.
  await signIn('admin');
  await page.getByRole('link', { name: 'Kiosks' }).click();
  const form = page.getByRole('form', { name: 'Register a kiosk' });
  await form.getByRole('textbox', { name: 'Name' }).fill('Lobby kiosk');
  await form.getByRole('textbox', { name: 'Location' }).fill('Main entrance');
  await form.getByRole('combobox', { name: 'Identity store' }).click();
  await page.getByRole('option', { name: 'Corp Active Directory' }).click();
  await form.getByRole('button', { name: 'Register kiosk' }).click();
  const activationCode = ((await page.getByTestId('activation-code').textContent()) ?? '').trim();
  expect(activationCode).toMatch(/^[A-Z0-9]{8}$/);
  await screens.save('kiosk-01-registered');

  const kioskContext = await browser.newContext({ baseURL, viewport: { width: 1280, height: 720 } });
  const agentContext = await browser.newContext({ baseURL, viewport: { width: 1280, height: 720 } });
  try {
    // The kiosk's browser is activated with the code, then the person asks for help.
    const kiosk = await kioskContext.newPage();
    await kiosk.goto('/kiosk/');
    await expect(kiosk.getByRole('heading', { name: 'This kiosk is not set up' })).toBeVisible();
    await kiosk.getByLabel('Activation code', { exact: true }).fill(activationCode);
    await kiosk.getByRole('button', { name: 'Activate' }).click();
    await kiosk.getByRole('button', { name: "I'm locked out" }).click();
    await kiosk.getByLabel('Username', { exact: true }).fill('alice');
    await kiosk.getByRole('button', { name: 'Continue' }).click();
    await expect(kiosk.getByRole('heading', { name: 'Tell the helpdesk agent this code' })).toBeVisible();
    const sessionCode = (await kiosk.locator('.code-group').allTextContents()).join('').trim();
    expect(sessionCode).toMatch(/^[A-Z0-9]{6}$/);
    await screens.save('kiosk-02-code', kiosk);

    // A restricted agent sees the waiting session and claims it with the code as the person reads it out.
    const agent = await agentContext.newPage();
    await signInPage(agent, 'agent');
    await expect(agent.getByRole('list', { name: 'Kiosk sessions waiting' })).toContainText('Lobby kiosk');
    const claim = agent.getByRole('form', { name: 'Claim a kiosk session' });
    await claim
      .getByRole('textbox', { name: 'Claim a kiosk session' })
      .fill(`${sessionCode.slice(0, 3).toLowerCase()}-${sessionCode.slice(3)}`);
    await claim.getByRole('button', { name: 'Claim' }).click();
    const dialog = agent.getByRole('dialog', { name: /Unlock Account — Alice Anders/ });
    await expect(dialog.getByText(/The person is at kiosk Lobby kiosk/)).toBeVisible();
    const next = dialog.getByRole('button', { name: 'Next' });
    await expect(next).toBeDisabled();

    // The person answers at the kiosk (one wrong answer first); the agent's case fills in.
    await expect(kiosk.getByRole('heading', { name: /is helping you/ })).toBeVisible();
    const first = kiosk.getByLabel(QUESTIONS[0].question, { exact: true });
    await first.fill('Fluffy');
    await first.press('Enter');
    await expect(kiosk.getByRole('status').filter({ hasText: /not right|wrong|did not match/i })).toBeVisible();
    await kiosk.getByLabel(QUESTIONS[0].question, { exact: true }).fill(QUESTIONS[0].answer);
    await kiosk.getByLabel(QUESTIONS[0].question, { exact: true }).press('Enter');
    await kiosk.getByLabel(QUESTIONS[1].question, { exact: true }).fill(QUESTIONS[1].answer);
    await kiosk.getByLabel(QUESTIONS[1].question, { exact: true }).press('Enter');
    await expect(dialog.getByText('1 of 2 verified')).toBeVisible({ timeout: 15_000 });

    // The agent sends the e-mail code; the person types it at the kiosk.
    const since = new Date().toISOString();
    await dialog.getByRole('button', { name: 'Send code to a***@example.test' }).click();
    const code = await mailbox.waitForCode('alice@example.test', since);
    const codeField = kiosk.getByLabel(/We sent a code to a\*\*\*@example\.test/);
    await codeField.fill(code);
    await codeField.press('Enter');
    await expect(dialog.getByText(/^Authenticated \(2 of 2 verified\)/)).toBeVisible({ timeout: 15_000 });
    await screens.save('kiosk-03-verified', kiosk);
    await screens.save('kiosk-04-agent-authenticated', agent);

    // The agent unlocks; the kiosk shows the result.
    await next.click();
    await dialog.getByRole('button', { name: 'Unlock', exact: true }).click();
    const result = dialog.getByRole('list', { name: 'Unlock results' }).getByRole('listitem');
    await expect(result).toContainText('Unlocked');
    await expect(result).toContainText('Read back from the directory: Not locked');
    await expect(kiosk.getByRole('heading', { name: 'Your account is unlocked. You can sign in now.' })).toBeVisible({
      timeout: 15_000,
    });
    await screens.save('kiosk-05-unlocked', kiosk);
    expect(await directory.canBindAd('alice', 'AlicePass1!')).toBe(true);

    // The history says the answers came from the kiosk.
    await dialog.getByRole('button', { name: 'History' }).click();
    await expect(dialog.getByRole('list', { name: 'History' })).toContainText(/kiosk/i);
  } finally {
    await kioskContext.close();
    await agentContext.close();
  }
});
