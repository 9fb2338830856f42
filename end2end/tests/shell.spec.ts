// The app shell at desktop and phone widths: one header row on a desktop even with a long name in
// Spanish, the current page marked, a menu button on phones, and an account menu.
import { test, expect } from './fixtures';
import { signIn } from './helpers';

test('on a desktop the header is one row, marks the page and has an account menu', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  // Bruno's own language choice is what changes; nobody else's test depends on it.
  await signIn(page, 'bruno@demo.test');
  await page.locator('button[data-locale="es"]').click();
  await expect(page.getByTestId('dashboard-role')).toHaveText('Agente');
  const header = page.locator('header');
  const box = await header.boundingBox();
  expect(box!.height).toBeLessThan(80);
  await page.getByRole('link', { name: 'Perfil', exact: true }).click();
  await expect(page.getByRole('link', { name: 'Perfil', exact: true })).toHaveAttribute('aria-current', 'page');
  await expect(page).toHaveTitle(/^Perfil · Demo Ltda$/);
  await expect(page.getByTestId('account-email')).toBeHidden();
  await page.getByTestId('account-menu').locator('summary').click();
  await expect(page.getByTestId('account-email')).toHaveText('bruno@demo.test');
  await expect(page.getByTestId('account-role')).toHaveText('Agente');
  await expect(page.getByTestId('switch-workspace')).toHaveAttribute('href', '/login');
  await page.locator('button[data-locale="pt-BR"]').click();
  await expect(page.getByRole('link', { name: 'Painel' })).toBeVisible();
});

test('on a phone the navigation is behind a menu button and the header stays short', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, 'owner@demo.test');
  const header = page.locator('header');
  expect((await header.boundingBox())!.height).toBeLessThan(70);
  await expect(page.getByRole('link', { name: 'Usuários' })).toBeHidden();
  await page.getByTestId('menu-button').click();
  await page.getByRole('link', { name: 'Usuários' }).click();
  await expect(page.getByTestId('users-table')).toBeVisible();
  // Nothing scrolls sideways.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});
