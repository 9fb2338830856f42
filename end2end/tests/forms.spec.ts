// How forms guide: the app's own messages (never the browser's bubbles), an error that goes away
// once its field is changed, what was typed kept after a failed post without JavaScript, and a
// success notice shown once, not again on reload.
import { test, expect } from './fixtures';
import { signIn, unique, signInWithoutScripts } from './helpers';


test('forms validate with the app\'s messages, and an error goes once its field changes', async ({ page }) => {
  await signIn(page, 'manager@demo.test');
  await page.goto('/users/new');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  // No native validation bubbles: the server's messages, in the page's language, instead.
  await expect(page.locator('form:has(#field-email)')).toHaveAttribute('novalidate', /.*/);
  await page.locator('#field-email').fill('someone@nowhere');
  await page.getByRole('button', { name: 'Criar usuário' }).click();
  await expect(page.getByTestId('name-error')).toHaveText('Obrigatório');
  await expect(page.getByTestId('email-error')).toHaveText('E-mail inválido');
  await expect(page.locator('#field-name')).toHaveAttribute('aria-invalid', 'true');
  // The focus goes to the summary of what went wrong.
  await expect(page.getByTestId('form-error')).toBeFocused();

  // Fixing one field clears its message, and only its own.
  await page.locator('#field-name').fill('Zeca Teixeira');
  await expect(page.getByTestId('name-error')).toHaveText('');
  await expect(page.locator('#field-name')).toHaveAttribute('aria-invalid', 'false');
  await expect(page.getByTestId('email-error')).toHaveText('E-mail inválido');

  // The next answer shows its messages again.
  await page.getByRole('button', { name: 'Criar usuário' }).click();
  await expect(page.getByTestId('email-error')).toHaveText('E-mail inválido');
  await expect(page.getByTestId('name-error')).toHaveText('');
});

test('a success notice is shown once: a reload of the same address does not show it again', async ({ page }) => {
  await signIn(page, 'manager@demo.test');
  await page.goto('/profile');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.locator('#field-name').fill('Marcos Manager');
  await page.getByRole('button', { name: 'Salvar' }).click();
  await expect(page).toHaveURL(/\/profile\?notice=saved$/);
  await expect(page.getByTestId('form-notice')).toHaveText('Salvo.');

  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.locator('#field-name')).toHaveValue('Marcos Manager');
  await expect(page.getByTestId('form-notice')).toHaveCount(0);
  // Nor does opening the address again, as from a bookmark.
  await page.goto('/profile?notice=saved');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByTestId('form-notice')).toHaveCount(0);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a failed post keeps what was typed, beside the errors, and says so once', async ({ page }) => {
    await signInWithoutScripts(page, 'manager@demo.test');

    const name = `Zeca ${unique().stamp}`;
    await page.goto('/users/new');
    await page.locator('#field-name').fill(name);
    await page.locator('#field-email').fill('zeca@nowhere');
    await page.locator('#field-role').selectOption('supervisor');
    await page.locator('#field-password').fill('a secret never echoed');
    await page.getByRole('button', { name: 'Criar usuário' }).click();

    // Back on the form, its address clean, with the message beside the field and the values.
    await expect(page).toHaveURL(/\/users\/new$/);
    await expect(page.getByTestId('form-error')).toBeVisible();
    await expect(page.getByTestId('email-error')).toHaveText('E-mail inválido');
    await expect(page.locator('#field-name')).toHaveValue(name);
    await expect(page.locator('#field-email')).toHaveValue('zeca@nowhere');
    await expect(page.locator('#field-role')).toHaveValue('supervisor');
    await expect(page.locator('#field-password')).toHaveValue('');

    // Fixed and sent again: created.
    await page.locator('#field-email').fill(`zeca.${unique().stamp}@demo.test`);
    await page.getByRole('button', { name: 'Criar usuário' }).click();
    await expect(page).toHaveURL(/\/users\/[0-9a-f-]{36}\?notice=created/);
    await expect(page.getByTestId('form-notice')).toBeVisible();
    // Without JavaScript the toast leaves by itself too: a CSS animation, after 8 s.
    await expect(page.getByTestId('toast').locator('xpath=..')).toHaveCSS('animation-name', 'toast-out');
    await expect(page.locator('#field-name')).toHaveValue(name);

    // A reload shows neither the old error on the form nor the notice again.
    await page.reload();
    await expect(page.getByTestId('form-notice')).toHaveCount(0);
    await page.goto('/users/new');
    await expect(page.getByTestId('form-error')).toHaveCount(0);
    await expect(page.locator('#field-name')).toHaveValue('');
  });
});

test('a save updates the page in place: no page load, the new data shown, a toast that goes away', async ({ page }) => {
  await signIn(page, 'manager@demo.test');
  await page.goto('/departments');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  // A mark on the window: any page load would take it away.
  await page.evaluate(() => { (window as unknown as { stayed: boolean }).stayed = true; });
  const stayed = () => page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed === true);

  const name = `Fila ${unique().stamp}`;
  await page.locator('#field-name').fill(name);
  await page.getByRole('button', { name: 'Criar departamento' }).click();
  await expect(page).toHaveURL(/\/departments\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('department-title')).toHaveText(name);
  await expect(page.getByTestId('form-notice')).toHaveText('Criado.');
  expect(await stayed()).toBe(true);

  // Renamed: the heading follows without a page load, and the toast says so.
  await page.locator('#field-name').fill(`${name} B`);
  await page.getByRole('button', { name: 'Salvar' }).click();
  await expect(page.getByTestId('department-title')).toHaveText(`${name} B`);
  await expect(page.getByTestId('form-notice')).toHaveText('Salvo.');
  expect(await stayed()).toBe(true);
  // Hydrated, a timer takes the toast away rather than the animation (which would not start again).
  await expect(page.getByTestId('toast').locator('xpath=..')).toHaveCSS('animation-name', 'none');
  // The toast can be closed, and the notice is not in the address to come back on reload.
  await page.getByRole('button', { name: 'Fechar aviso' }).click();
  await expect(page.getByTestId('form-notice')).toBeHidden();
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByTestId('department-title')).toHaveText(`${name} B`);
  await expect(page.getByTestId('form-notice')).toHaveCount(0);
});

test('the users list says when each person last signed in', async ({ page }) => {
  await signIn(page, 'manager@demo.test');
  await page.goto('/users?search=manager%40demo.test');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  const row = page.getByTestId('user-row').first();
  // Just signed in: a relative time, with the date as its title.
  await expect(row.locator('time')).toHaveText(/agora mesmo|há \d+ min/);
  await expect(row.locator('time')).toHaveAttribute('title', /^\d{2}\/\d{2}\/\d{4}$/);
});
