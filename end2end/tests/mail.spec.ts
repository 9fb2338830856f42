import { test, expect, Page } from './fixtures';
import { followMailLink, signIn } from './helpers';

const PASSWORD = 'demo-password-2026';

/** A new attendant of the demo workspace with a password, made through the API. */
async function newUser(page: Page, email: string, password: string) {
  const login = await page.request.post('/api/auth/login', {
    data: { tenant: 'demo', email: 'manager@demo.test', password: PASSWORD },
  });
  const token = (await login.json()).data.access_token;
  const created = await page.request.post('/api/v1/users', {
    headers: { Authorization: `Bearer ${token}`, 'X-Tenant': 'demo' },
    data: { name: 'Rita Recovery', email, role: 'attendant', password },
  });
  expect(created.status()).toBe(201);
}

test('a forgotten password is reset from the emailed link, and the new one signs in', async ({ page }) => {
  const stamp = Date.now().toString(36);
  const email = `rita-${stamp}@demo.test`;
  await newUser(page, email, 'the password she forgot');

  await page.goto('/login');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByTestId('forgot-password').click();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.locator('#field-tenant').fill('demo');
  await page.locator('#field-email').fill(email);
  await page.getByRole('button', { name: 'Enviar link' }).click();
  await expect(page.getByTestId('form-notice')).toContainText('Se a conta existir');

  await followMailLink(page, email, '/reset-password#');
  // The page read the token from the link: only the new password is asked for.
  await expect(page.locator('#field-token')).toBeHidden();
  await page.locator('#field-password').fill('a new password she keeps');
  await page.getByRole('button', { name: 'Salvar nova senha' }).click();
  await expect(page.getByTestId('login-notice')).toContainText('Senha alterada');
  await expect(page.locator('#tenant')).toHaveValue('demo');

  await page.locator('#email').fill(email);
  await page.locator('#password').fill('the password she forgot');
  await page.getByRole('button', { name: 'Entrar' }).click();
  await expect(page.getByTestId('login-error')).toBeVisible();
  await signIn(page, email, 'a new password she keeps');
  await expect(page.getByTestId('welcome')).toContainText('Rita Recovery');
});

test('an invited person opens the emailed link, chooses a password and is signed in', async ({ page, browser }) => {
  const stamp = Date.now().toString(36);
  const email = `ivo-${stamp}@demo.test`;
  await signIn(page, 'manager@demo.test', PASSWORD);
  await page.goto('/users/new');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.locator('#field-name').fill(`Ivo ${stamp}`);
  await page.locator('#field-email').fill(email);
  await page.getByRole('button', { name: 'Criar usuário' }).click();
  await expect(page.getByTestId('invitation')).toBeVisible();
  // The whole link, ready to copy (not a bare path).
  await expect(page.getByTestId('invitation-link')).toHaveValue(/^http:\/\/127\.0\.0\.1:\d+\/invitation\/demo\./);
  await page.goto('/users');
  await expect(page.getByTestId('pending-invitations')).toContainText(email);

  // The invitee, in a browser of their own.
  const context = await browser.newContext();
  const invitee = await context.newPage();
  await followMailLink(invitee, email, '/invitation/');
  await invitee.locator('#field-password').fill('my first password here');
  await invitee.getByRole('button', { name: 'Definir senha e entrar' }).click();
  await expect(invitee.getByTestId('welcome')).toContainText(`Ivo ${stamp}`);
  await context.close();

  await page.goto('/users');
  await expect(page.getByTestId('users-table')).toContainText(email);
  await expect(page.getByTestId('invitation-row').filter({ hasText: email })).toHaveCount(0);
});
