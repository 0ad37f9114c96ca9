import { test, expect, DEMO_PASSWORD, signIn, waitForHydration } from './helpers';

// The multi-brand tenant, end to end (each brand owner reaches only their brand's database,
// PII stays masked, Sources needs All resource groups), and the email-domain allowlist.

test("brand A's owner sees only brand A's database, never unmasked PII, and not Sources", async ({ page }) => {
  await signIn(page, 'owner.a@acme.example', DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/customer-360');
  await waitForHydration(page);
  const rows = page.locator('#databases-table tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Northwind C360');
  await expect(page.getByRole('button', { name: 'Change permissions' })).toBeDisabled();

  await rows.first().getByRole('button', { name: 'Customer_360' }).click();
  const preview = page.locator('#table-preview');
  await expect(preview.locator('tbody tr').first()).toContainText('••••••');
  await expect(preview.locator('#pii-notice')).toContainText('All resource groups');
  await expect(page.locator('#show-pii')).toHaveCount(0);
  await expect(preview).not.toContainText('@example.com');
  await page.screenshot({ path: 'test-results/customer-360-brand-owner.png', fullPage: true });

  await page.goto('/sources');
  await expect(page.locator('#sources-refused')).toContainText('you need a policy on All resource groups');

  await page.goto('/users');
  await expect(page.getByRole('alert')).toContainText('view users');
});

test('the global analyst sees both brands and may show PII', async ({ page }) => {
  await signIn(page, 'analytics@acme.example', DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/customer-360');
  await waitForHydration(page);
  const rows = page.locator('#databases-table tbody tr');
  await expect(rows).toHaveCount(2);
  await page.locator('tr[data-database="Southwind C360"]').getByRole('button', { name: 'Customer_360' }).click();
  const preview = page.locator('#table-preview');
  await expect(preview.locator('tbody tr').first()).toContainText('••••••');
  await page.locator('#show-pii').click();
  await expect(preview.locator('tbody')).toContainText('@example.com');
  await expect(preview.locator('#pii-notice')).toHaveCount(0);
});

test('a user administrator cannot add a person from an unknown domain, and can add a known one', async ({ page }) => {
  await signIn(page, 'admin@acme.example', DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/users');
  await waitForHydration(page);
  // The demo's four people of Acme Retail (other specs may have added more by now).
  for (const email of ['admin@acme.example', 'analytics@acme.example', 'owner.a@acme.example', 'owner.b@acme.example']) {
    await expect(page.locator(`#users-table tbody tr[data-email="${email}"]`)).toHaveCount(1);
  }

  // Sorting is done by the server: email descending puts owner.b first.
  await page.locator('#users-table').getByRole('button', { name: /^Email/ }).click();
  await page.locator('#users-table').getByRole('button', { name: /^Email/ }).click();
  await expect(page.locator('#users-table tbody tr[data-email]').first()).toHaveAttribute('data-email', 'owner.b@acme.example');

  await page.locator('#add-user').click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Full name').fill('Eve Outsider');
  await dialog.getByLabel('Login email').fill('eve@unknown.example');
  await dialog.getByLabel('Full name').focus();
  await expect(dialog.locator('[data-field="email"]')).toContainText('unknown.example is not an allowed email domain');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeVisible();
  await page.screenshot({ path: 'test-results/add-user-unknown-domain.png' });

  await dialog.getByLabel('Login email').fill('justin.currie@acme.example');
  await dialog.getByLabel('Full name').focus();
  await expect(dialog.locator('[data-field="email"]')).toBeHidden();
  // A new person gets no access by default: saving before choosing says what is missing.
  await expect(dialog.getByLabel('Policy')).toHaveValue('');
  await expect(dialog.getByLabel('Resource group')).toHaveValue('');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.locator('[data-field="policy"]')).toContainText('choose a policy');
  await dialog.getByLabel('Policy').selectOption({ label: 'Analyst' });
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.locator('[data-field="resource_group"]')).toContainText('choose a resource group');
  await dialog.getByLabel('Resource group').selectOption({ label: 'All resource groups' });
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText('Added justin.currie@acme.example');
  const added = page.locator('tr[data-email="justin.currie@acme.example"]');
  await expect(added).toContainText('Analyst');
  await expect(added).toContainText('Eve Outsider');
  await page.screenshot({ path: 'test-results/users.png', fullPage: true });

  // A custom policy: a named set of actions from the catalog.
  await page.getByRole('button', { name: 'Add policy' }).click();
  const policyDialog = page.getByRole('dialog');
  await policyDialog.getByLabel('Name').fill('Campaign Designer');
  await policyDialog.getByRole('button', { name: 'Save' }).click();
  await expect(policyDialog.locator('[data-field="actions"]')).toContainText('choose at least one action');
  await policyDialog.getByLabel('design campaigns').check();
  await policyDialog.getByLabel('build segments and queries').check();
  await policyDialog.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('#policies-panel')).toContainText('Campaign Designer');

  // Revoking asks first and says what happens. The row's actions sit behind one menu button,
  // which opens on its first item and follows the arrow keys.
  await added.getByRole('button', { name: 'Actions for Eve Outsider' }).click();
  await expect(added.getByRole('menuitem', { name: 'Edit access' })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(added.getByRole('menuitem', { name: 'Revoke tenant access' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(added.getByRole('menuitem')).toHaveCount(0);
  await expect(added.getByRole('button', { name: 'Actions for Eve Outsider' })).toBeFocused();
  await page.keyboard.press('Enter');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog')).toContainText('other tenants stays as it is');
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke access' }).click();
  await expect(page.locator('tr[data-email="justin.currie@acme.example"]')).toHaveCount(0);
});
