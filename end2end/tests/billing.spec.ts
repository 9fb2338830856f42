// The subscription the way a Brazilian company pays: PIX on the local provider, an upgrade that
// keeps one subscription, the charges list, and a cancel that keeps the workspace writable.
import { test, expect } from './fixtures';
import { signUp, unique } from './helpers';

test('pay by PIX, upgrade with a prorated charge, see both charges, cancel and keep writing', async ({ page }) => {
  const { stamp, doc } = unique();
  await signUp(page, `Padaria ${stamp}`, doc, `dona-${stamp}@padaria.test`, 'starter');
  // The subscription exists with its first charge; the owner chooses PIX before paying.
  await page.goto('/billing');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByTestId('billing-status')).toHaveText('Teste');
  await page.getByTestId('billing-type').selectOption('PIX');
  await page.getByRole('button', { name: 'Salvar' }).click();
  await expect(page).toHaveURL(/\/checkout\/local\/pay_local_/);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByTestId('checkout-amount')).toHaveText('R$ 99,00');
  await page.getByRole('button', { name: 'Pagar' }).click();

  await expect(page.getByTestId('form-notice')).toContainText('Pagamento confirmado');
  await expect(page.getByTestId('billing-status')).toHaveText('Ativa');
  await expect(page.getByTestId('billing-method')).toHaveText('PIX');
  await expect(page.getByTestId('billing-price')).toContainText('R$ 99,00');
  await expect(page.getByTestId('charge')).toHaveCount(1);

  // Upgrade: a one-off charge of the prorated difference; the plan comes when it is paid.
  await page.getByTestId('billing-plan-professional').getByRole('button', { name: 'Fazer upgrade' }).click();
  await expect(page).toHaveURL(/\/checkout\/local\/pay_local_/);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByTestId('checkout-plan')).toContainText('Starter → Professional');
  await page.getByRole('button', { name: 'Pagar' }).click();
  await expect(page.getByTestId('form-notice')).toContainText('Pagamento confirmado');
  await expect(page.getByTestId('billing-plan')).toHaveText('Professional');
  // One subscription, now at the new value; both charges listed and paid.
  await expect(page.getByTestId('billing-price')).toContainText('R$ 699,00');
  await expect(page.getByTestId('charge')).toHaveCount(2);
  await expect(page.locator('[data-testid="charge"][data-status="paid"]')).toHaveCount(2);

  // Cancel asks first; afterwards the workspace still writes until the paid period's end.
  await page.getByTestId('billing-cancel-open').click();
  await page.getByRole('button', { name: 'Sim, cancelar' }).click();
  await expect(page.getByTestId('form-notice')).toContainText('Assinatura cancelada');
  await expect(page.getByTestId('billing-status')).toHaveText('Cancelada');
  await expect(page.getByTestId('billing-note').first()).toContainText('editável até');
  await page.goto('/departments');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.locator('#field-name').fill('Atendimento');
  await page.getByRole('button', { name: 'Criar departamento' }).click();
  await expect(page.getByTestId('department-title')).toHaveText('Atendimento');
});
