// A new company's dashboard guides its owner: a checklist whose steps tick as they are done and
// that disappears when all are, the trial's days left, and no plan cards for attendants.
import { test, expect, Page } from './fixtures';
import { signIn, signUp, unique } from './helpers';

async function dashboard(page: Page) {
  await page.goto('/');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

async function expectDone(page: Page, done: Record<string, boolean>) {
  for (const [step, value] of Object.entries(done)) {
    await expect(page.getByTestId(`step-${step}`)).toHaveAttribute('data-done', String(value));
  }
}

test('the first-run checklist ticks as the owner completes each step, then goes away', async ({ page }) => {
  const { stamp, doc } = unique();
  await signUp(page, `Oficina ${stamp}`, doc, `dono-${stamp}@oficina.test`, 'starter');
  await dashboard(page);
  await expect(page.getByTestId('onboarding-progress')).toHaveText('0 de 4 concluídos');
  await expect(page.getByTestId('trial-days')).toHaveText('Restam 14 dias de teste');
  await expectDone(page, { invite: false, department: false, plan: false, branding: false });

  // A department.
  await page.getByTestId('step-department').getByRole('link').click();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.locator('#field-name').fill('Recepção');
  await page.getByRole('button', { name: 'Criar departamento' }).click();
  await expect(page.getByTestId('department-title')).toHaveText('Recepção');
  await dashboard(page);
  await expectDone(page, { invite: false, department: true, plan: false, branding: false });
  await expect(page.getByTestId('onboarding-progress')).toHaveText('1 de 4 concluídos');

  // A colleague.
  await page.getByTestId('step-invite').getByRole('link').click();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.locator('#field-name').fill('Rafa Recepção');
  await page.locator('#field-email').fill(`rafa-${stamp}@oficina.test`);
  await page.locator('#field-role').selectOption('attendant');
  await page.locator('#field-password').fill('first day password');
  await page.getByRole('button', { name: 'Criar usuário' }).click();
  await expect(page.getByTestId('user-title')).toHaveText('Rafa Recepção');
  await dashboard(page);
  await expectDone(page, { invite: true, department: true, plan: false, branding: false });

  // The company's colour and logo.
  await page.getByTestId('step-branding').getByRole('link').click();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.locator('#field-logo_url').fill('https://oficina.example/logo.png');
  await page.locator('#field-primary_color').fill('#0f766e');
  await page.getByRole('button', { name: 'Salvar' }).click();
  await expect(page.getByTestId('form-notice')).toBeVisible();
  await dashboard(page);
  await expectDone(page, { invite: true, department: true, plan: false, branding: true });

  // The plan, paid on the local provider: the last step, so the checklist goes.
  await page.goto('/billing');
  await expect(page.getByTestId('billing-pay-now')).toBeVisible();
  await page.getByTestId('billing-pay-now').click();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByRole('button', { name: 'Pagar' }).click();
  await expect(page.getByTestId('form-notice')).toContainText('Pagamento confirmado');
  await dashboard(page);
  await expect(page.getByTestId('welcome')).toBeVisible();
  await expect(page.getByTestId('onboarding')).toHaveCount(0);
  await expect(page.getByTestId('trial-days')).toHaveCount(0);
});

test('an attendant sees their departments and profile, not the plan', async ({ page }) => {
  await signIn(page, 'ana@demo.test');
  await expect(page.getByTestId('dashboard-role')).toHaveText('Atendente');
  await expect(page.getByTestId('dashboard-plan')).toHaveCount(0);
  await expect(page.getByTestId('dashboard-status')).toHaveCount(0);
  await expect(page.getByTestId('onboarding')).toHaveCount(0);
  await expect(page.getByRole('link', { name: /Seu perfil/ })).toBeVisible();
});
