// Two-step verification and sessions, as a person uses them: set up with the code the app shows,
// sign out, sign in with password and code, then with a recovery code; end another session.
import { test, expect, Page, Browser } from './fixtures';
import { signIn, totp, signInWithoutScripts } from './helpers';

async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

async function passwordStep(page: Page, email: string) {
  await page.goto('/login');
  await hydrated(page);
  await page.locator('#tenant').fill('demo');
  await page.locator('#email').fill(email);
  await page.locator('#password').fill('demo-password-2026');
  await page.getByRole('button', { name: 'Entrar' }).click();
  await expect(page).toHaveURL(/\/login\?step=code/);
  await hydrated(page);
}

async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sair' }).click();
  await expect(page).toHaveURL(/\/login/);
}

/** Turns two-step verification off again, so the demo user is as the other tests expect. */
async function turnOff(page: Page) {
  await page.goto('/profile');
  const section = page.getByTestId('two-step');
  await section.locator('#field-current_password').fill('demo-password-2026');
  await section.locator('button[type=submit]').click();
  await expect(page.getByTestId('mfa-enable')).toBeVisible();
}

test('two-step verification: set up, sign in with a code, then with a recovery code', async ({ page }) => {
  await signIn(page, 'bruno@demo.test');
  await page.goto('/profile');
  await hydrated(page);
  await expect(page.getByTestId('two-step')).toContainText('está desativada');
  await page.getByTestId('mfa-enable').click();
  await expect(page).toHaveURL(/\/profile\/mfa$/);
  await hydrated(page);
  await expect(page.locator('[data-testid=two-step], svg').first()).toBeVisible();
  const secret = (await page.getByTestId('mfa-secret').textContent())!.trim();
  await page.locator('#field-code').fill(totp(secret));
  await page.getByRole('button', { name: 'Ativar' }).click();
  await expect(page).toHaveURL(/\/profile\/mfa\/codes$/);
  const codes = page.getByTestId('recovery-codes').locator('li');
  await expect(codes).toHaveCount(10);
  const recovery = (await codes.nth(0).textContent())!.trim();
  await expect(page.getByRole('link', { name: 'Baixar os códigos' })).toHaveAttribute('download', 'atrium-recovery-codes.txt');
  await page.getByTestId('codes-done').click();
  await expect(page.getByTestId('two-step')).toContainText('está ativada');
  // Once saved, they are not shown again.
  await page.goto('/profile/mfa/codes');
  await expect(page.getByTestId('recovery-codes')).toHaveCount(0);

  await signOut(page);
  await passwordStep(page, 'bruno@demo.test');
  // The code that turned it on was used: the app's next one signs in.
  await page.locator('#code').fill(totp(secret, 1));
  await page.getByRole('button', { name: 'Verificar' }).click();
  await expect(page.getByTestId('welcome')).toContainText('Bruno');

  await signOut(page);
  await passwordStep(page, 'bruno@demo.test');
  await page.locator('#code').fill('000000');
  await page.getByRole('button', { name: 'Verificar' }).click();
  await expect(page.getByTestId('login-error')).toHaveText('Código errado, ou já usado.');
  await page.locator('#code').fill(recovery);
  await page.getByRole('button', { name: 'Verificar' }).click();
  await expect(page.getByTestId('welcome')).toContainText('Bruno');

  await turnOff(page);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('two-step verification is set up and used with plain forms', async ({ page }) => {
    await signInWithoutScripts(page, 'carla@demo.test');
    await page.goto('/profile/mfa');
    const secret = (await page.getByTestId('mfa-secret').textContent())!.trim();
    await page.locator('#field-code').fill(totp(secret));
    // By the form, not the label: this person's language is whatever earlier tests left it at.
    await page.locator('form[action="/rpc/confirm_mfa"] button[type=submit]').click();
    await expect(page).toHaveURL(/\/profile\/mfa\/codes$/);
    await expect(page.getByTestId('recovery-codes').locator('li')).toHaveCount(10);
    await page.getByTestId('codes-done').click();
    await expect(page).toHaveURL(/\/profile$/);

    await page.locator('form[action="/rpc/logout"] button').click();
    await page.locator('#tenant').fill('demo');
    await page.locator('#email').fill('carla@demo.test');
    await page.locator('#password').fill('demo-password-2026');
    await page.getByRole('button', { name: 'Entrar' }).click();
    await expect(page).toHaveURL(/\/login\?step=code/);
    await page.locator('#code').fill(totp(secret, 1));
    await page.getByRole('button', { name: 'Verificar' }).click();
    await expect(page.getByTestId('welcome')).toBeVisible();

    await turnOff(page);
  });
});

async function signedInContext(browser: Browser, email: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, email);
  return { context, page };
}

test('a person ends another of their sessions from the profile page', async ({ browser }) => {
  const here = await signedInContext(browser, 'ana@demo.test');
  const there = await signedInContext(browser, 'ana@demo.test');
  await here.page.goto('/profile');
  await hydrated(here.page);
  const sessions = here.page.getByTestId('sessions');
  await expect(sessions.getByText('Este navegador')).toHaveCount(1);
  const before = await sessions.getByTestId('session').count();
  expect(before).toBeGreaterThanOrEqual(2);
  // The newest other session is `there`'s (the list is most recently used first).
  await sessions.getByTestId('end-session').first().click();
  await expect(here.page.getByTestId('form-notice')).toHaveText('A sessão foi encerrada.');
  await expect(here.page.getByTestId('session')).toHaveCount(before - 1);

  await there.page.goto('/profile');
  await expect(there.page).toHaveURL(/\/login/);
  await here.page.goto('/profile');
  await expect(here.page.getByTestId('sessions')).toBeVisible();
  await here.context.close();
  await there.context.close();
});
