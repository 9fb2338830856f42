import { test, expect } from './fixtures';
import { signUp, unique } from './helpers';

test('a company signs up, pays at the local checkout and lands on its dashboard', async ({ page }) => {
  const { stamp, doc } = unique();
  await signUp(page, `Clínica ${stamp} Ltda`, doc, `alice-${stamp}@clinica.test`, 'professional');
  await expect(page.getByTestId('checkout-plan')).toContainText('Professional');
  await page.getByRole('button', { name: 'Pagar' }).click();

  await expect(page.getByTestId('form-notice')).toContainText('Pagamento confirmado');
  await expect(page.getByTestId('billing-plan')).toHaveText('Professional');
  await page.goto('/');
  await expect(page.getByTestId('welcome')).toContainText('Alice Admin');
  await expect(page.getByTestId('dashboard-company')).toHaveText(`Clínica ${stamp} Ltda`);
  await expect(page.getByTestId('dashboard-plan')).toHaveText('Professional');
  await expect(page.getByTestId('dashboard-status')).toHaveText('Ativa');
});

test('billing shows the plan and usage, and the plan limit prompts an upgrade', async ({ page }) => {
  const { stamp, doc } = unique();
  await signUp(page, `Loja ${stamp}`, doc, `owner-${stamp}@loja.test`, 'starter');
  await page.getByRole('button', { name: 'Pagar' }).click();
  await expect(page.getByTestId('form-notice')).toContainText('Pagamento confirmado');

  await page.getByRole('link', { name: 'Assinatura' }).click();
  await expect(page.getByTestId('billing-plan')).toHaveText('Starter');
  await expect(page.getByTestId('billing-status')).toHaveText('Ativa');
  await expect(page.getByTestId('usage-users')).toHaveText('1 / 5');
  await expect(page.getByTestId('usage-departments')).toHaveText('0 / 3');
  await expect(page.getByTestId('billing-plan-professional')).toContainText('Fazer upgrade');

  // Starter allows three departments; the fourth is refused with the way to upgrade.
  for (let i = 1; i <= 4; i++) {
    await page.goto('/departments');
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await page.locator('#field-name').fill(`Equipe ${i}`);
    await page.getByRole('button', { name: 'Criar departamento' }).click();
    if (i < 4) {
      await expect(page.getByTestId('department-title')).toHaveText(`Equipe ${i}`);
    }
  }
  await expect(page.getByTestId('form-error')).toContainText('3');
  await page.getByTestId('upgrade-link').click();
  await expect(page.getByTestId('usage-departments')).toHaveText('3 / 3');
});

test('the company step checks the document as typed, and on the server without JavaScript', async ({ browser, page }) => {
  await page.goto('/signup');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.locator('#field-document').pressSequentially('11222333000182');
  await expect(page.getByTestId('document-error')).toContainText('Dígitos verificadores');

  const context = await browser.newContext({ javaScriptEnabled: false });
  const plain = await context.newPage();
  await plain.goto('/signup');
  await plain.locator('#field-company_name').fill('Sem Script Ltda');
  await plain.locator('#field-document').fill('11.222.333/0001-82');
  await plain.getByRole('button', { name: 'Continuar' }).click();
  await expect(plain.getByTestId('document-error')).toContainText('Dígitos verificadores');
  // What was typed is still there.
  await expect(plain.locator('#field-company_name')).toHaveValue('Sem Script Ltda');
  await context.close();
});
