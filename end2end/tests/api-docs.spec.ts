import { test, expect } from './fixtures';

test('the API docs page renders every operation of the OpenAPI description, from the app itself', async ({ page }) => {
  const spec = await (await page.request.get('/api/openapi.json')).json();
  expect(spec.openapi).toMatch(/^3\.1\./);
  let operations = 0;
  for (const item of Object.values(spec.paths) as Record<string, unknown>[]) {
    operations += ['get', 'post', 'put', 'patch', 'delete'].filter((m) => m in item).length;
  }
  expect(operations).toBeGreaterThan(50);

  // Nothing may come from another origin: the page must work offline.
  const origin = new URL(test.info().project.use.baseURL!).origin;
  const foreign: string[] = [];
  page.on('request', (req) => {
    if (!req.url().startsWith(origin) && !req.url().startsWith('data:')) foreign.push(req.url());
  });
  await page.goto('/api/docs');
  await expect(page.locator('.swagger-ui .info .title')).toContainText('Atrium API');
  await expect(page.locator('.opblock')).toHaveCount(operations);
  await expect(page.locator('.opblock-summary-path').filter({ hasText: '/api/v1/webhooks/{id}/deliveries' })).toBeVisible();
  expect(foreign).toEqual([]);
});
