// Steps the browser tests share: signing in, and reading the mail the app kept in the development mailbox.
import { createHmac } from 'crypto';
import { expect, Page } from '@playwright/test';

/**
 * Opens the newest message to `to` in the development mailbox (where the app keeps its mail when
 * no SMTP server is configured) and follows its link containing `needle`.
 */
export async function followMailLink(page: Page, to: string, needle: string) {
  await page.goto('/dev/mailbox');
  await page.getByTestId('mail').filter({ hasText: to }).first().getByTestId('mail-subject').click();
  await expect(page.getByTestId('mail-to')).toHaveText(to);
  await page.getByTestId('mail-link').filter({ hasText: needle }).first().click();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

/** Confirms a new owner's address with the link of the verification email. */
export async function confirmEmail(page: Page, to: string) {
  await followMailLink(page, to, '/verify-email#');
  await page.getByRole('button', { name: 'Confirmar e-mail' }).click();
  await expect(page).toHaveURL(/\/\?notice=email_verified$/);
}

/** Signs into the demo workspace from the sign-in page (JavaScript on) and waits for the dashboard. */
export async function signIn(page: Page, email: string, password = 'demo-password-2026') {
  await page.goto('/login');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.locator('#tenant').fill('demo');
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await expect(page.getByTestId('welcome')).toBeVisible();
}

/** Signs into the demo workspace with JavaScript off: the sign-in form as a plain post. */
export async function signInWithoutScripts(page: Page, email: string, password = 'demo-password-2026') {
  await page.goto('/login');
  await page.locator('#tenant').fill('demo');
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await expect(page.getByTestId('welcome')).toBeVisible();
}

/** RFC 4648 base32 (no padding) to bytes. */
function base32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '').toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The 6-digit TOTP code (RFC 6238: SHA-1, 30 s) an authenticator app shows for `secret`, `stepsAhead` steps from now. */
export function totp(secret: string, stepsAhead = 0): string {
  const step = Math.floor(Date.now() / 1000 / 30) + stepsAhead;
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac: Buffer = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, '0');
}

const PASSWORD = 'a quiet harbour at dawn';

/** A valid numeric CNPJ for base `n` (check digits as the Receita Federal computes them). */
export function cnpj(n: number): string {
  const digits = (String(n % 100_000_000).padStart(8, '0') + '0001').split('').map(Number);
  for (const weights of [[5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2], [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]]) {
    const sum = digits.reduce((acc, d, i) => acc + d * weights[i], 0);
    const r = sum % 11;
    digits.push(r < 2 ? 0 : 11 - r);
  }
  return digits.join('');
}

export function unique(): { stamp: string; doc: string } {
  const n = Date.now() % 100_000_000;
  return { stamp: n.toString(36), doc: cnpj(n) };
}

/**
 * Company, admin and plan steps with JavaScript on; the owner then confirms the address from the
 * emailed link (read in the development mailbox), which paying waits for; ends on the local
 * checkout page.
 */
export async function signUp(page: Page, company: string, doc: string, email: string, plan: string) {
  await page.goto('/signup');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.locator('#field-company_name').fill(company);
  // Typed digit by digit: the field formats and checks it as it goes.
  await page.locator('#field-document').pressSequentially(doc);
  await expect(page.locator('#field-document')).toHaveValue(
    `${doc.slice(0, 2)}.${doc.slice(2, 5)}.${doc.slice(5, 8)}/${doc.slice(8, 12)}-${doc.slice(12)}`,
  );
  await expect(page.getByTestId('document-valid')).toBeVisible();
  await page.getByRole('button', { name: 'Continuar' }).click();

  await expect(page.getByTestId('signup-admin')).toBeVisible();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.locator('#field-admin_name').fill('Alice Admin');
  await page.locator('#field-admin_email').fill(email);
  await page.locator('#field-admin_password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Continuar' }).click();

  await expect(page.getByTestId('signup-plan')).toBeVisible();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  // The plans table comes from data, prices in R$.
  await expect(page.getByTestId('plan-starter')).toContainText('R$ 99,00');
  await expect(page.getByTestId('plan-professional')).toContainText('R$ 699,00');
  await expect(page.getByTestId('plan-enterprise')).toContainText('Fale com vendas');
  await page.getByTestId(`plan-${plan}`).click();
  await page.getByRole('button', { name: 'Criar conta e ir ao pagamento' }).click();
  // The workspace exists; paying waits until the owner confirms the address, and the page says so.
  await expect(page).toHaveURL(/\/billing$/);
  await expect(page.getByTestId('unverified-banner')).toBeVisible();
  await confirmEmail(page, email);
  await expect(page.getByTestId('unverified-banner')).toHaveCount(0);
  await page.goto('/billing');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByTestId(`billing-plan-${plan}`).getByRole('button', { name: 'Assinar este plano' }).click();
  await expect(page).toHaveURL(/\/checkout\/local\//);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}
