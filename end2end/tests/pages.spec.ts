// Every page, signed in and not, hydrates without a page error or a console error: a panic in the
// wasm (a hydration mismatch) or a failed request shows up here before a person meets it.
import { test, expect, Page } from './fixtures';
import { signIn } from './helpers';

/** Collects what the page reports as broken: uncaught errors and console errors. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  return problems;
}

async function visit(page: Page, problems: string[], path: string) {
  const before = problems.length;
  const response = await page.goto(path);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  // Effects after hydration (resources, focus) run on the next ticks.
  await page.waitForTimeout(300);
  // The 404 page is answered with status 404, which the browser logs about the document itself.
  const own404 = (p: string) => response?.status() === 404 && p.includes('status of 404');
  expect(problems.slice(before).filter((p) => !own404(p)), `${path} reported errors`).toEqual([]);
}

test('visitor pages hydrate without errors', async ({ page }) => {
  const problems = watch(page);
  for (const path of ['/login', '/signup', '/forgot-password', '/reset-password', '/verify-email', '/no-such-page']) {
    await visit(page, problems, path);
  }
});

test('every page of the owner hydrates without errors, detail pages included', async ({ page }) => {
  const problems = watch(page);
  await signIn(page, 'owner@demo.test');
  // A department to open (the demo starts without one).
  const stamp = Date.now().toString(36);
  await page.goto('/departments');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.locator('#field-name').fill(`Páginas ${stamp}`);
  await page.getByRole('button', { name: 'Criar departamento' }).click();
  await expect(page.getByTestId('department-title')).toHaveText(`Páginas ${stamp}`);
  const department = new URL(page.url()).pathname;
  await page.goto('/users?search=ana');
  await page.getByRole('link', { name: 'Ana Attendant' }).click();
  await expect(page.getByTestId('user-title')).toBeVisible();
  const user = new URL(page.url()).pathname;
  for (const path of [
    '/', '/users', '/users/new', user, '/departments', department, '/company', '/company/api-keys',
    '/company/webhooks', '/billing', '/profile', '/profile/mfa', '/no-such-page',
  ]) {
    await visit(page, problems, path);
  }
});
