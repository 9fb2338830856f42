import { test, expect } from './fixtures';
import { createHmac } from 'crypto';
import { createServer, IncomingHttpHeaders } from 'http';
import { AddressInfo } from 'net';
import { signIn } from './helpers';

/** A local webhook receiver: records each request's headers and raw body, answers 200. */
async function receiver() {
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/atrium-hooks`, received, close: () => server.close() };
}

test('a manager adds a webhook endpoint, copies its secret, sends a signed test event, switches it off and deletes it', async ({ page }) => {
  const hooks = await receiver();
  try {
    await signIn(page, 'manager@demo.test');
    await page.goto('/company');
    await page.getByTestId('webhooks-link').click();
    await expect(page).toHaveURL(/\/company\/webhooks$/);
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await expect(page).toHaveTitle('Empresa · Demo Ltda');

    // Without an event the form says so beside the events; the URL typed is checked too.
    await page.locator('#field-url').fill('ftp://example.com/hooks');
    await page.getByRole('button', { name: 'Adicionar endpoint' }).click();
    await expect(page.getByTestId('events-error')).toHaveText('Escolha pelo menos um evento');
    await expect(page.getByTestId('url-error')).not.toBeEmpty();

    await page.locator('#field-url').fill(hooks.url);
    await page.locator('#field-description').fill('Sistema de RH');
    await page.getByLabel('user.created').check();
    await page.getByLabel('department.deleted').check();
    await page.getByRole('button', { name: 'Adicionar endpoint' }).click();
    const shown = page.getByTestId('new-secret-value');
    await expect(shown).toBeVisible();
    const secret = await shown.inputValue();
    expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    await page.getByTestId('new-secret-done').click();
    await expect(page.getByTestId('new-secret')).toHaveCount(0);
    await expect(page.locator('body')).not.toContainText(secret);

    const row = page.getByTestId('webhook').filter({ hasText: hooks.url });
    await expect(row).toContainText('Sistema de RH');
    await expect(row).toContainText('user.created');
    await expect(row.getByTestId('webhook-state')).toContainText('Ativo');

    // A test event reaches the receiver, signed with the secret over "<timestamp>.<body>".
    await row.getByTestId('webhook-test').click();
    await expect(page.getByTestId('form-notice')).toContainText('teste');
    await expect.poll(() => hooks.received.length, { timeout: 15_000 }).toBe(1);
    const { headers, body } = hooks.received[0];
    const timestamp = headers['x-atrium-timestamp'] as string;
    const expected = 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
    expect(headers['x-atrium-signature']).toBe(expected);
    expect(headers['x-atrium-event']).toBe('webhook.ping');
    expect(JSON.parse(body).tenant).toBe('demo');

    // Its delivery shows under the endpoint.
    await expect
      .poll(async () => {
        await page.reload();
        return page.getByTestId('webhook').filter({ hasText: hooks.url }).getByTestId('delivery').first().textContent();
      }, { timeout: 15_000 })
      .toContain('Entregue');

    // Switched off, then deleted after a confirmation.
    await page.getByTestId('webhook').filter({ hasText: hooks.url }).getByTestId('webhook-toggle').click();
    await expect(page.getByTestId('webhook').filter({ hasText: hooks.url }).getByTestId('webhook-state')).toContainText('Desativado');
    await page.getByTestId('webhook').filter({ hasText: hooks.url }).getByTestId('webhook-delete').click();
    await expect(page.getByTestId('confirm-delete')).toBeVisible();
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await page.getByTestId('confirm-delete').getByRole('button', { name: 'Excluir' }).click();
    await expect(page.getByTestId('form-notice')).toContainText('Endpoint excluído');
    await expect(page.getByTestId('webhook').filter({ hasText: hooks.url })).toHaveCount(0);
  } finally {
    hooks.close();
  }
});
