import { test, expect, signIn, visit, DEMO_PASSWORD, OPERATOR } from './helpers';

test('approving a domain asks first and says it reaches every tenant', async ({ page, browser }) => {
  await signIn(page, 'admin@acme.example', DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await visit(page, '/users');
  await page.getByRole('button', { name: 'Request a domain' }).click();
  const request = page.getByRole('dialog');
  await request.getByLabel('Domain').fill('confirm-e2e.example');
  await request.getByLabel('Why should it be allowed?').fill('Our agency partner for the spring campaign');
  await request.getByRole('button', { name: 'Send' }).click();
  await expect(request).toHaveCount(0);

  const operator = await (await browser.newContext()).newPage();
  await signIn(operator, OPERATOR, DEMO_PASSWORD);
  await expect(operator).toHaveURL(/\/$/);
  await visit(operator, '/users');
  const row = operator.locator('#domain-requests tr[data-domain="confirm-e2e.example"]');
  await row.getByRole('button', { name: 'Approve' }).click();
  const confirm = operator.getByRole('dialog');
  await expect(confirm).toContainText('every tenant on the platform');
  // Cancelling changes nothing.
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toHaveCount(0);
  await expect(row).toContainText('Pending');

  await row.getByRole('button', { name: 'Approve' }).click();
  await operator.getByRole('dialog').getByRole('button', { name: 'Approve domain' }).click();
  await expect(operator.getByRole('dialog')).toHaveCount(0);
  await expect(row).toContainText('Approved');
  await operator.close();
});

test('retiring an experience asks first; a refusal says why and changes nothing', async ({ page }) => {
  // A user administrator may not run jobs: the dialog says so instead of failing silently.
  await signIn(page, 'admin@acme.example', DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await visit(page, '/jobs');
  const row = page.locator('tr[data-experience="Spring sale banner"]');
  await row.getByRole('button', { name: 'Retire' }).click();
  const confirm = page.getByRole('dialog');
  await expect(confirm).toContainText('no longer holds');
  await confirm.getByRole('button', { name: 'Retire experience' }).click();
  await expect(confirm.getByRole('alert')).toContainText('none of your policies allows you to create and run jobs');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toHaveCount(0);
  await visit(page, '/jobs');
  await expect(row).toContainText('Active');
});
