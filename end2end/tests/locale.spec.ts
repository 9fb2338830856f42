import { test, expect } from './fixtures';

test('switching to English and to Spanish changes the text, and the choice sticks', async ({ page }) => {
  await page.goto('/login');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Entre na sua empresa');

  await page.locator('button[data-locale="en"]').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in to your company');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in to your company');

  await page.locator('button[data-locale="es"]').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Inicie sesión en su empresa');

  // Signed in, the dashboard speaks the chosen language too, and the switcher is on every page.
  await page.locator('#tenant').fill('demo');
  await page.locator('#email').fill('carla@demo.test');
  await page.locator('#password').fill('demo-password-2026');
  await page.getByRole('button', { name: 'Iniciar sesión' }).click();
  await expect(page.getByTestId('dashboard-role')).toHaveText('Agente');
  await page.locator('button[data-locale="en"]').click();
  await expect(page.getByTestId('dashboard-role')).toHaveText('Attendant');
  await page.goto('/');
  await expect(page.getByTestId('welcome')).toHaveText('Welcome, Carla Attendant');
});
