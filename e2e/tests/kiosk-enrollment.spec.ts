// Self-enrollment at the walk-up kiosk, in Chromium against the real OpenLDAP: gina (not enrolled) proves herself with
// her directory password at a kiosk for Corp OpenLDAP, chooses three security questions and sets up an authenticator
// app (the code typed is computed from the key the kiosk shows, as her phone would); an agent then sees both enrolled.
import { base32Decode, generateTotp } from '../../backend/src/shared/crypto/totp';
import { expect, test } from '../fixtures';

test.use({ viewport: { width: 1280, height: 720 } });

test('kiosk enrollment: a user signs in with the directory password and sets security questions and an authenticator app', async ({
  page,
  agentApi,
  screens,
}) => {
  const admin = await agentApi('admin');
  const registered = await admin.api.post('/api/kiosks', {
    data: { name: 'Library kiosk', location: 'Library', storeId: 'corp-ldap' },
    headers: { 'X-CSRF-Token': admin.csrf },
  });
  expect(registered.ok(), await registered.text()).toBeTruthy();
  const { activationCode } = (await registered.json()) as { activationCode: string };

  await page.goto('/kiosk/');
  await page.getByLabel('Activation code', { exact: true }).fill(activationCode);
  await page.getByRole('button', { name: 'Activate' }).click();
  await page.getByRole('button', { name: 'Set up how we can verify you' }).click();

  // A wrong password is refused with the same words as an unknown name; the password field is emptied.
  const username = page.getByLabel('Username', { exact: true });
  const password = page.getByLabel('Password', { exact: true });
  await username.fill('gina');
  await password.fill('not-her-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('That username and password did not work');
  await expect(password).toHaveValue('');
  await password.fill('Gina-Pass-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Hello, Gina Gray' })).toBeVisible();
  await expect(page.getByText('Security questions: not set')).toBeVisible();

  // Three different questions, answered.
  await page.getByRole('button', { name: 'Set security questions' }).click();
  for (let i = 1; i <= 3; i++) {
    const select = page.getByLabel(`Question ${i}`, { exact: true });
    const options = await select.locator('option').allTextContents();
    await select.selectOption({ label: options[i] as string });
    await page.getByLabel(`Answer ${i}`, { exact: true }).fill(`answer number ${i}`);
  }
  await page.getByRole('button', { name: 'Save questions' }).click();
  await expect(page.getByText('Security questions: set (3)')).toBeVisible();

  // The authenticator: the key the kiosk shows, then the code the app would show now.
  await page.getByRole('button', { name: 'Set up authenticator app' }).click();
  const key = ((await page.locator('.session-code [aria-hidden="true"]').textContent()) ?? '').replace(/\s/g, '');
  expect(key).toMatch(/^[A-Z2-7]{16,}$/);
  await screens.save('kiosk-enroll-01-authenticator');
  await page.getByLabel('The 6-digit code the app shows now').fill(generateTotp(base32Decode(key), Date.now()));
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByText('Authenticator app: set')).toBeVisible();
  await screens.save('kiosk-enroll-02-overview');
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByRole('button', { name: "I'm locked out" })).toBeVisible();
  await expect(page.getByText('Gina')).toHaveCount(0);

  // The helpdesk sees what she enrolled (never the answers or the key).
  const found = await admin.api.get('/api/users?search=gina&storeId=corp-ldap');
  const gina = ((await found.json()) as { results: { id: string; username: string }[] }).results.find(
    (u) => u.username === 'gina',
  );
  expect(gina).toBeDefined();
  const profile = await (await admin.api.get(`/api/users/corp-ldap/${gina?.id}`)).json();
  expect(profile.enrollment.types).toEqual(expect.arrayContaining(['securityQuestions', 'authenticator']));
  expect(JSON.stringify(profile)).not.toContain('answer number');
  expect(JSON.stringify(profile)).not.toContain(key);
});
