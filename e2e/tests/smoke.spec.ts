import { expect, test } from '../fixtures';

test('the backend serves the admin app, which asks an agent to sign in', async ({ page }) => {
  await page.goto('/helpdesk');
  await expect(page.getByRole('heading', { name: 'Unlock Desk' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByLabel('Username')).toBeFocused();
});

test('the backend serves the kiosk app under /kiosk/, which a browser that was never activated cannot use', async ({
  page,
}) => {
  await page.goto('/kiosk/');
  await expect(page.getByRole('heading', { name: 'This kiosk is not set up' })).toBeVisible();
  await expect(page).toHaveTitle('Unlock Desk kiosk');
  await expect(page.getByRole('button', { name: "I'm locked out" })).toHaveCount(0);
});
