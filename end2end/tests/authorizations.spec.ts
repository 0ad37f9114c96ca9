import * as fs from 'fs';
import { test, expect, DEMO_PASSWORD, signIn, waitForHydration } from './helpers';

// Authorizations: the wizard, a real health check against a local fake provider, a job
// that blocks the delete, then pausing and deleting it, then deleting the authorization. The
// secret never comes back in any response, and the database file does not hold it in plaintext.

const SECRET = 'SG.e2e-good-key';

test('an API-key authorization is created, checked Healthy, held by a job, then deleted once the job is gone', async ({ page }) => {
  const bodies: Promise<string>[] = [];
  page.on('response', (r) => bodies.push(r.text().catch(() => '')));

  await signIn(page, 'owner.a@acme.example', DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/security/authorizations');
  await waitForHydration(page);
  const table = page.locator('#authorizations-table');
  await expect(table.locator('tr[data-authorization="Newsletter sending"]')).toBeVisible();
  // Sorted on the server: by provider, descending, then back.
  await table.getByRole('button', { name: 'Provider' }).click();
  await table.getByRole('button', { name: 'Provider' }).click();
  await expect(table.locator('th[aria-sort="descending"]')).toContainText('Provider');
  await expect(table.locator('tbody tr').first()).toContainText('SendGrid');
  await page.screenshot({ path: 'test-results/authorizations.png', fullPage: true });

  // The wizard: provider, method, then configuration checked by core in the browser.
  await page.locator('#create-authorization').click();
  await waitForHydration(page);
  await page.locator('[data-provider="sendgrid"]').click();
  await page.locator('[data-method="api_key"]').click();
  await page.getByLabel('Label').fill('E2E newsletters');
  await page.getByLabel('Description (optional)').fill('made by the end-to-end test');
  await page.getByLabel('API key').fill('not-a-key');
  await page.locator('#save-authorization').click();
  await expect(page.locator('[data-field="config-api_key"]')).toContainText('must start with SG.');
  await page.screenshot({ path: 'test-results/authorization-wizard.png', fullPage: true });
  await page.getByLabel('API key').fill(SECRET);
  await page.locator('#save-authorization').click();
  await expect(page).toHaveURL(/\/security\/authorizations\/auth_[0-9a-z]+\?created=1/);
  const authorizationUrl = page.url().split('?')[0];
  await waitForHydration(page);
  await expect(page.locator('#authorization-label')).toHaveText('E2E newsletters');

  // Health from the provider's real endpoint (a local fake): Healthy, with its answer.
  await page.locator('#check-now').click();
  await expect(page.locator('#health')).toContainText('Healthy');
  await expect(page.locator('#last-check')).toContainText('HTTP 200');
  await expect(page.locator('.config-table')).toContainText('••••');
  // Today's bar counts the checks: the request chart moves with use.
  const today = page.locator('#metrics svg g.chart-slot').last();
  await expect(today).not.toHaveAttribute('data-requests', '0');
  await today.hover();
  await expect(page.locator('#chart-readout')).toContainText(/\d+ requests?$/);
  await page.screenshot({ path: 'test-results/authorization-summary.png', fullPage: true });
  // Stored, but not in plaintext: neither the database file nor its write-ahead log holds it.
  const dbFile = process.env.E2E_DB_FILE!;
  for (const file of [dbFile, `${dbFile}-wal`]) {
    if (fs.existsSync(file)) {
      expect(fs.readFileSync(file).includes(Buffer.from(SECRET))).toBe(false);
    }
  }

  // A job on it, through the job wizard opened from the summary.
  await page.getByRole('link', { name: 'New job with it' }).click();
  await waitForHydration(page);
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name').fill('E2E send');
  await expect(dialog.locator('[data-choice="E2E newsletters"] input')).toBeChecked();
  await expect(dialog.locator('#new-authorization-tab')).toHaveAttribute('target', '_blank');
  await dialog.getByRole('button', { name: 'Create job' }).click();
  await expect(page).toHaveURL(/\/jobs\/job_[0-9a-z]+\?created=1/);
  const jobUrl = page.url().split('?')[0];
  await waitForHydration(page);
  await expect(page.locator('#job-status')).toContainText('Sleeping');

  // The delete is refused, naming the job.
  await page.goto(authorizationUrl);
  await waitForHydration(page);
  await page.locator('#delete-authorization').click();
  await page.locator('#confirm-delete').click();
  await expect(page.locator('#delete-refused')).toContainText('E2E send');
  await page.screenshot({ path: 'test-results/authorization-delete-refused.png', fullPage: true });
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

  // Pause the job, delete it, then the authorization goes.
  await page.goto(jobUrl);
  await waitForHydration(page);
  await page.locator('#pause-job').click();
  await expect(page.locator('#job-status')).toContainText('Paused');
  await page.locator('#delete-job').click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete job' }).click();
  await expect(page).toHaveURL(/\/jobs$/);

  await page.goto(authorizationUrl);
  await waitForHydration(page);
  await page.locator('#delete-authorization').click();
  await page.locator('#confirm-delete').click();
  await expect(page).toHaveURL(/\/security\/authorizations$/);
  await waitForHydration(page);
  await expect(page.locator('#authorizations-table')).not.toContainText('E2E newsletters');

  // The secret went out once, in the wizard's request, and never came back.
  for (const body of await Promise.all(bodies)) {
    expect(body).not.toContain(SECRET);
  }
});
