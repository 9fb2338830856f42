import { test, expect, Page } from './fixtures';

const OWNER = { tenant: 'demo', email: 'owner@demo.test', password: 'demo-password-2026' };

async function fillLogin(page: Page, password = OWNER.password) {
  await page.locator('#tenant').fill(OWNER.tenant);
  await page.locator('#email').fill(OWNER.email);
  await page.locator('#password').fill(password);
}

async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

test('a protected page sends a visitor to the login page and back after signing in', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login\?next=%2F|\/login\?next=\//);
  await hydrated(page);
  await fillLogin(page);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('dashboard-company')).toHaveText('Demo Ltda');
});

test('the demo owner signs in with JavaScript on and sees the dashboard', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  await fillLogin(page);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await expect(page.getByTestId('welcome')).toContainText('Olivia Owner');
  await expect(page.getByTestId('dashboard-company')).toHaveText('Demo Ltda');
  await expect(page.getByTestId('dashboard-role')).toHaveText('Proprietário');
  await expect(page.getByTestId('dashboard-plan')).toHaveText('Professional');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the login form still works as a plain form post', async ({ page }) => {
    await page.goto('/login');
    await fillLogin(page);
    await page.getByRole('button', { name: 'Entrar' }).click();
    await expect(page.getByTestId('dashboard-company')).toHaveText('Demo Ltda');
  });

  test('a wrong password comes back as a message on the form', async ({ page }) => {
    await page.goto('/login');
    await fillLogin(page, 'not the password');
    await page.getByRole('button', { name: 'Entrar' }).click();
    await expect(page.getByTestId('login-error')).toHaveText('Empresa, e-mail ou senha inválidos.');
    await expect(page.locator('#tenant')).toHaveValue('demo');
  });
});

test('a wrong password shows an error beside the form', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  await fillLogin(page, 'not the password');
  await page.getByRole('button', { name: 'Entrar' }).click();
  await expect(page.getByTestId('login-error')).toHaveText('Empresa, e-mail ou senha inválidos.');
  await expect(page).toHaveURL(/\/login/);
});

test('empty fields are reported beside each field', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  await page.locator('#tenant').fill('');
  await page.getByRole('button', { name: 'Entrar' }).click();
  await expect(page.getByTestId('email-error')).toHaveText('Obrigatório');
  await expect(page.getByTestId('password-error')).toHaveText('Obrigatório');
});

test('logout ends the session', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  await fillLogin(page);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await expect(page.getByTestId('dashboard-company')).toBeVisible();
  await page.getByRole('button', { name: 'Sair' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login\?next=/);
});

test('the workspace name is remembered on this browser', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  await fillLogin(page);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await expect(page.getByTestId('dashboard-company')).toBeVisible();
  await page.getByRole('button', { name: 'Sair' }).click();
  await expect(page.locator('#tenant')).toHaveValue('demo');
});
