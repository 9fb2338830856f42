import { test, expect } from './fixtures';
import { signIn } from './helpers';

test('a manager creates an API key, sees it once, the key calls the API, and revoking it asks first', async ({ page }) => {
  const name = `CRM ${Date.now().toString(36)}`;
  await signIn(page, 'manager@demo.test');
  await page.goto('/company');
  await page.getByTestId('api-keys-link').click();
  await expect(page).toHaveURL(/\/company\/api-keys$/);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  // The frame says where we are: the section in the title and in the navigation.
  await expect(page).toHaveTitle('Empresa · Demo Ltda');
  await expect(page.getByRole('navigation', { name: 'Navegação principal' }).getByRole('link', { name: 'Empresa' })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByRole('link', { name: 'Painel' })).not.toHaveAttribute('aria-current', 'page');
  await expect(page.locator('link[rel=icon]')).toHaveAttribute('href', '/favicon.svg');

  // A role above the manager's is not offered; a past expiry is refused beside its field.
  await expect(page.locator('#field-role option[value=owner]')).toHaveCount(0);
  await page.locator('#field-name').fill(name);
  await page.locator('#field-role').selectOption('supervisor');
  await page.locator('#field-expires_on').fill('2020-01-01');
  await page.getByRole('button', { name: 'Criar chave' }).click();
  await expect(page.locator('#expires_on-error')).toBeVisible();

  await page.locator('#field-expires_on').fill('');
  await page.getByRole('button', { name: 'Criar chave' }).click();
  const shown = page.getByTestId('new-key-value');
  await expect(shown).toBeVisible();
  const key = await shown.inputValue();
  expect(key).toMatch(/^atr_[0-9a-f]{12}_[0-9a-f]{64}$/);

  // The key works against the API with the workspace header, as a supervisor.
  const departments = await page.request.get('/api/v1/departments', { headers: { authorization: `Bearer ${key}`, 'x-tenant': 'demo' } });
  expect(departments.status()).toBe(200);
  const users = await page.request.get('/api/v1/users', { headers: { authorization: `Bearer ${key}`, 'x-tenant': 'demo' } });
  expect(users.status()).toBe(403);

  // Shown until the person says they copied it; then the list shows its prefix only.
  await page.getByTestId('new-key-done').click();
  await expect(page.getByTestId('new-key')).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('new-key')).toHaveCount(0);
  const row = page.getByTestId('api-key').filter({ hasText: name });
  await expect(row).toContainText(key.slice(0, 16));
  await expect(page.locator('body')).not.toContainText(key);

  // Revoking asks first; then the key stops working.
  await row.getByTestId('revoke-key').click();
  await expect(page.getByTestId('confirm-revoke')).toBeVisible();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByTestId('confirm-revoke').getByRole('button', { name: 'Revogar' }).click();
  await expect(page.getByTestId('form-notice')).toContainText('revogada');
  await expect(page.getByTestId('api-key').filter({ hasText: name })).toHaveCount(0);
  const after = await page.request.get('/api/v1/departments', { headers: { authorization: `Bearer ${key}`, 'x-tenant': 'demo' } });
  expect(after.status()).toBe(401);

  // A page that does not exist keeps the app frame for a signed-in person, with status 404.
  const missing = await page.goto('/no-such-page');
  expect(missing?.status()).toBe(404);
  await expect(page.getByTestId('not-found')).toBeVisible();
  await expect(page.getByTestId('company-name')).toHaveText('Demo Ltda');
});
