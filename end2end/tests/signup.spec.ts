import { test, expect, Page } from '@playwright/test';
import { confirmEmail } from './helpers';

const PASSWORD = 'a quiet harbour at dawn';

/** A valid numeric CNPJ for base `n` (check digits as the Receita Federal computes them). */
function cnpj(n: number): string {
  const digits = (String(n % 100_000_000).padStart(8, '0') + '0001').split('').map(Number);
  for (const weights of [[5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2], [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]]) {
    const sum = digits.reduce((acc, d, i) => acc + d * weights[i], 0);
    const r = sum % 11;
    digits.push(r < 2 ? 0 : 11 - r);
  }
  return digits.join('');
}

function unique(): { stamp: string; doc: string } {
  const n = Date.now() % 100_000_000;
  return { stamp: n.toString(36), doc: cnpj(n) };
}

/**
 * Company, admin and plan steps with JavaScript on; the owner then confirms the address from the
 * emailed link (read in the development mailbox), which paying waits for; ends on the local
 * checkout page.
 */
async function signUp(page: Page, company: string, doc: string, email: string, plan: string) {
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

test('a company signs up, pays at the local checkout and lands on its dashboard', async ({ page }) => {
  const { stamp, doc } = unique();
  await signUp(page, `Clínica ${stamp} Ltda`, doc, `alice-${stamp}@clinica.test`, 'professional');
  await expect(page.getByTestId('checkout-plan')).toHaveText('Professional');
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
