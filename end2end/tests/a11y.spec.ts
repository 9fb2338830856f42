// Accessibility: axe-core on every page, signed in and not, at desktop and phone width, in light
// and dark: no serious or critical violation of WCAG 2.1 A/AA.
import { test, expect, Page } from './fixtures';
import AxeBuilder from '@axe-core/playwright';
import { signIn } from './helpers';

const VISITOR_PAGES = ['/login', '/signup', '/forgot-password', '/reset-password', '/verify-email', '/invitation/not-a-token', '/no-such-page'];
const OWNER_PAGES = [
  '/', '/users', '/users/new', '/departments', '/company', '/company/api-keys', '/company/webhooks',
  '/billing', '/profile', '/profile/mfa', '/no-such-page',
];

async function violations(page: Page, path: string): Promise<string[]> {
  await page.goto(path);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${path} ${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(' | ')}`);
}

/** A department's and a user's detail page (the demo has users; a department is made if none). */
async function detailPages(page: Page): Promise<string[]> {
  await page.goto('/departments');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  const existing = page.locator('main a[href^="/departments/"]').first();
  if ((await existing.count()) === 0) {
    await page.locator('#field-name').fill(`Acessibilidade ${Date.now().toString(36)}`);
    await page.getByRole('button', { name: 'Criar departamento' }).click();
    await expect(page.getByTestId('department-title')).toBeVisible();
  } else {
    await existing.click();
    await expect(page.getByTestId('department-title')).toBeVisible();
  }
  const department = new URL(page.url()).pathname;
  await page.goto('/users?search=ana');
  await page.getByRole('link', { name: 'Ana Attendant' }).click();
  await expect(page.getByTestId('user-title')).toBeVisible();
  return [department, new URL(page.url()).pathname];
}

/** The company page right after a save, its toast showing. */
async function toastViolations(page: Page): Promise<string[]> {
  await page.goto('/company');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByRole('button', { name: 'Salvar' }).click();
  await expect(page.getByTestId('toast')).toBeVisible();
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `/company (toast) ${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(' | ')}`);
}

for (const [label, width, height] of [['desktop', 1280, 800], ['phone', 390, 844]] as const) {
  for (const scheme of ['light', 'dark'] as const) {
    test.describe(`${label}, ${scheme}`, () => {
      test.use({ viewport: { width, height }, colorScheme: scheme });

      test('visitor pages have no serious accessibility violations', async ({ page }) => {
        const found: string[] = [];
        for (const path of VISITOR_PAGES) found.push(...(await violations(page, path)));
        expect(found).toEqual([]);
      });

      test('signed-in pages have no serious accessibility violations', async ({ page }) => {
        await signIn(page, 'owner@demo.test');
        const found: string[] = [];
        for (const path of [...OWNER_PAGES, ...(await detailPages(page))]) found.push(...(await violations(page, path)));
        found.push(...(await toastViolations(page)));
        expect(found).toEqual([]);
      });
    });
  }
}
