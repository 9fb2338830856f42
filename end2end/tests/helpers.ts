// Steps the browser tests share: signing in, and reading the mail the app kept in the development mailbox.
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
