import { test, expect } from './fixtures';
import { signIn, signInWithoutScripts } from './helpers';


test('a manager runs the team: user, department, membership, edit, deactivate', async ({ page, browser }) => {
  const stamp = Date.now().toString(36);
  const email = `new-${stamp}@demo.test`;
  const userPassword = 'first day password';
  await signIn(page, 'manager@demo.test');

  // Create a user.
  await page.getByRole('link', { name: 'Usuários' }).click();
  await expect(page.getByTestId('users-table')).toBeVisible();
  await page.getByTestId('new-user').click();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.locator('#field-name').fill(`Nina ${stamp}`);
  await page.locator('#field-email').fill(email);
  await page.locator('#field-role').selectOption('attendant');
  await page.locator('#field-password').fill(userPassword);
  await page.getByRole('button', { name: 'Criar usuário' }).click();
  await expect(page.getByTestId('user-title')).toHaveText(`Nina ${stamp}`);
  await expect(page.getByTestId('form-notice')).toBeVisible();

  // Create a department and add the user to it.
  await page.getByRole('link', { name: 'Departamentos' }).first().click();
  await page.locator('#field-name').fill(`Suporte ${stamp}`);
  await page.getByRole('button', { name: 'Criar departamento' }).click();
  await expect(page.getByTestId('department-title')).toHaveText(`Suporte ${stamp}`);
  await page.getByRole('searchbox', { name: 'Buscar pessoas por nome ou e-mail' }).fill(stamp);
  await page.getByRole('button', { name: 'Aplicar' }).click();
  await expect(page.locator('select[name=user_id] option')).toHaveCount(1);
  await page.getByRole('button', { name: 'Adicionar membro' }).click();
  await expect(page.getByTestId('members')).toContainText(`Nina ${stamp}`);

  // Edit the user, then deactivate with confirmation.
  await page.goto(`/users?search=${stamp}`);
  await page.getByRole('link', { name: `Nina ${stamp}` }).click();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.locator('#field-name').fill(`Nina Souza ${stamp}`);
  await page.getByRole('button', { name: 'Salvar' }).click();
  await expect(page.getByTestId('user-title')).toHaveText(`Nina Souza ${stamp}`);
  await page.getByTestId('toggle-active').click();
  await expect(page.getByTestId('confirm-box')).toBeVisible();
  await page.getByRole('button', { name: 'Confirmar' }).click();
  await expect(page.getByTestId('form-notice')).toContainText('desativado');

  // The deactivated user cannot sign in.
  const other = await browser.newPage();
  await other.goto('/login');
  await expect(other.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await other.locator('#tenant').fill('demo');
  await other.locator('#email').fill(email);
  await other.locator('#password').fill(userPassword);
  await other.getByRole('button', { name: 'Entrar' }).click();
  await expect(other.getByTestId('login-error')).toHaveText('Empresa, e-mail ou senha inválidos.');
  await other.close();
});

test('unticking "Ativo" in the edit form asks before deactivating, and Cancel keeps the user', async ({ page }) => {
  const stamp = Date.now().toString(36);
  await signIn(page, 'manager@demo.test');
  await page.goto('/users/new');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.locator('#field-name').fill(`Otto ${stamp}`);
  await page.locator('#field-email').fill(`otto-${stamp}@demo.test`);
  await page.locator('#field-role').selectOption('attendant');
  await page.locator('#field-password').fill('first day password');
  await page.getByRole('button', { name: 'Criar usuário' }).click();
  await expect(page.getByTestId('user-title')).toHaveText(`Otto ${stamp}`);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');

  await page.locator('#field-name').fill(`Otto Lima ${stamp}`);
  await page.getByLabel('Ativo', { exact: true }).uncheck();
  await page.getByRole('button', { name: 'Salvar' }).click();
  // The other changes are saved; the deactivation waits for its confirmation.
  await expect(page).toHaveURL(/\?confirm=deactivate$/);
  await expect(page.getByTestId('user-title')).toHaveText(`Otto Lima ${stamp}`);
  await expect(page.getByTestId('confirm-box')).toBeVisible();
  await expect(page.getByLabel('Ativo', { exact: true })).toBeChecked();
  await page.getByTestId('confirm-box').getByRole('link', { name: 'Cancelar' }).click();
  await expect(page.getByTestId('confirm-box')).toHaveCount(0);
  await page.goto(`/users?search=${stamp}`);
  await expect(page.getByTestId('users-table')).toContainText('Ativo');
});

test('an attendant sees no admin pages, not even by URL', async ({ page }) => {
  await signIn(page, 'ana@demo.test');
  const nav = page.getByRole('navigation', { name: 'Navegação principal' });
  await expect(nav.getByRole('link', { name: 'Perfil' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Usuários' })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: 'Departamentos' })).toHaveCount(0);
  for (const path of ['/users', '/users/new', '/departments', '/company']) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(403);
    await expect(page.getByTestId('forbidden')).toBeVisible();
  }
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('admin forms still work and show errors beside the fields', async ({ page }) => {
    await signInWithoutScripts(page, 'manager@demo.test');
    await page.goto('/users/new');
    await page.locator('#field-email').fill('someone@nowhere');
    await page.getByRole('button', { name: 'Criar usuário' }).click();
    await expect(page.getByTestId('name-error')).toHaveText('Obrigatório');
    await expect(page.getByTestId('email-error')).toHaveText('E-mail inválido');
    await page.goto('/profile');
    await page.locator('#field-name').fill('Marcos Manager');
    await page.getByRole('button', { name: 'Salvar' }).click();
    await expect(page.getByTestId('form-notice')).toHaveText('Salvo.');
    await expect(page.locator('#field-name')).toHaveValue('Marcos Manager');
  });
});
