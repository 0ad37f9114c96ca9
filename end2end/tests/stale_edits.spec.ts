import { test, expect, DEMO_PASSWORD, signIn, waitForHydration } from './helpers';
import type { Page } from '@playwright/test';

async function openEdit(page: Page, email: string) {
  await page.goto('/users');
  await waitForHydration(page);
  const row = page.locator(`tr[data-email="${email}"]`);
  await row.getByRole('button', { name: /^Actions for / }).click();
  await row.getByRole('menuitem', { name: 'Edit access' }).click();
  return page.getByRole('dialog');
}

test('a save made from a stale view shows what changed and re-applies the edit', async ({ page, browser }) => {
  // A person of this test's own, so no other spec's expectations change.
  const target = 'stale.target@acme.example';
  await signIn(page, 'admin@acme.example', DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/users');
  await waitForHydration(page);
  await page.locator('#add-user').click();
  const add = page.getByRole('dialog');
  await add.getByLabel('Full name').fill('Bea Target');
  await add.getByLabel('Login email').fill(target);
  await add.getByLabel('Policy').selectOption({ label: 'Viewer' });
  await add.getByLabel('Resource group').selectOption({ label: 'All resource groups' });
  await add.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText(`Added ${target}`);

  const other = await (await browser.newContext()).newPage();
  await signIn(other, 'admin@acme.example', DEMO_PASSWORD);
  await expect(other).toHaveURL(/\/$/);

  // Both administrators open the same person.
  const mine = await openEdit(page, target);
  const theirs = await openEdit(other, target);

  // The other administrator grants Analyst on All resource groups and saves first.
  await theirs.getByLabel('Policy to add').selectOption({ label: 'Analyst' });
  await theirs.getByLabel('Resource group to add').selectOption({ label: 'All resource groups' });
  await theirs.getByRole('button', { name: 'Add', exact: true }).click();
  await theirs.getByRole('button', { name: 'Save' }).click();
  await expect(other.getByRole('status')).toContainText('Saved');

  // My save, from the view before their grant, is refused and tells me what they changed.
  await mine.getByLabel('Full name').fill('Bea Southwind');
  await mine.getByRole('button', { name: 'Save' }).click();
  const notice = mine.locator('.alert-warning');
  await expect(notice).toContainText('Someone else changed this');
  await expect(notice).toContainText('Granted Analyst on All resource groups');
  await expect(mine.getByLabel('Full name')).toHaveValue('Bea Southwind');
  await expect(mine.locator('.assignment-list')).toContainText('Analyst');
  await page.screenshot({ path: 'test-results/stale-edit.png' });

  // Saving again applies my rename on top of their grant: nothing of theirs is lost.
  await mine.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText('Saved Bea Southwind');
  const row = page.locator(`tr[data-email="${target}"]`);
  await expect(row).toContainText('Bea Southwind');
  await expect(row).toContainText('Analyst');
});
