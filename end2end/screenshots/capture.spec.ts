// Pictures of the main pages at desktop and phone width for the README (docs/screenshots/), taken
// from the demo workspace by `scripts/screenshots`.
import { test, expect, Page } from '@playwright/test';
import { signIn } from '../tests/helpers';

const OUT = '../docs/screenshots';

async function shoot(page: Page, path: string, name: string) {
  await page.goto(path);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.screenshot({ path: `${OUT}/${name}.png`, fullPage: path !== '/users' });
}

for (const [label, width, height] of [['desktop', 1280, 800], ['phone', 390, 844]] as const) {
  test.describe(label, () => {
    test.use({ viewport: { width, height } });

    test(`main pages (${label})`, async ({ page }) => {
      await shoot(page, '/login', `login-${label}`);
      await signIn(page, 'owner@demo.test');
      await shoot(page, '/', `dashboard-${label}`);
      await shoot(page, '/users', `users-${label}`);
      await shoot(page, '/billing', `billing-${label}`);
      await shoot(page, '/company', `company-${label}`);
      await page.goto('/departments');
      await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      const department = page.locator('main a[href^="/departments/"]').first();
      if ((await department.count()) === 0) {
        await page.locator('#field-name').fill('Atendimento');
        await page.getByRole('button', { name: 'Criar departamento' }).click();
      } else {
        await department.click();
      }
      await expect(page.getByTestId('department-title')).toBeVisible();
      await shoot(page, new URL(page.url()).pathname, `department-${label}`);
      await shoot(page, '/departments', `departments-${label}`);
    });
  });
}

test.describe('dark', () => {
  test.use({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });

  test('the users page in dark mode', async ({ page }) => {
    await signIn(page, 'owner@demo.test');
    await shoot(page, '/users', 'users-desktop-dark');
  });
});
