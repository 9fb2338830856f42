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
