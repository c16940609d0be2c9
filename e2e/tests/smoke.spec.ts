import { expect, test } from '@playwright/test';

test('the backend serves the admin app, which reaches the API', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Unlock Desk — Admin' })).toBeVisible();
  await expect(page.getByRole('status')).toHaveText('Backend: ok');
});

test('the backend serves the kiosk app under /kiosk/', async ({ page }) => {
  await page.goto('/kiosk/');
  await expect(page.getByRole('heading', { name: 'Unlock Desk — Kiosk' })).toBeVisible();
  await expect(page.getByRole('status')).toHaveText('Backend: ok');
});
