import * as fs from 'fs';
import { test, expect, DEMO_PASSWORD, signIn, waitForHydration } from './helpers';

// The activity log: a change appears as a row, sorts, copies its id, downloads as CSV.

const HEADER =
  'event-id,event-type,happened-at,recorded-at,principal-id,principal-name,principal-email,external-id,source,object,object-name,origin-ip';

test('a change shows in the activity log, sorts, copies its id and downloads as CSV', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await signIn(page, 'admin@acme.example', DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/$/);

  // Make a change: add a person.
  await page.goto('/users');
  await waitForHydration(page);
  await page.locator('#add-user').click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Full name').fill('Ada Activity');
  await dialog.getByLabel('Login email').fill('ada.activity@acme.example');
  await dialog.getByLabel('Policy').selectOption({ label: 'Viewer' });
  await dialog.getByLabel('Resource group').selectOption({ label: 'All resource groups' });
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText('Added ada.activity@acme.example');

  // Find its row (the Activity tab of the same area).
  await page.getByRole('navigation', { name: 'Users & Activity' }).getByRole('link', { name: 'Activity' }).click();
  await expect(page).toHaveURL(/\/users\/activity$/);
  const table = page.locator('#activity-table');
  const created = table.locator('tbody tr[data-type="user/create"]', { hasText: 'ada.activity@acme.example' });
  await expect(created).toHaveCount(1);
  await expect(created).toContainText('Alex Admin');
  await expect(table.locator('thead')).toContainText(/Date \(UTC[+-]\d\d:\d\d\)/);
  // Newest first: the grant that came with the new person is above the sign-in.
  await expect(table.locator('tbody tr[data-type]').first()).not.toHaveAttribute('data-type', 'session/create');
  await page.screenshot({ path: 'test-results/activity.png', fullPage: true });

  // Sort by action, both ways (done by the server).
  await table.getByRole('button', { name: /^Action/ }).click();
  const types = async () => table.locator('tbody tr[data-type]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-type') ?? ''));
  await expect.poll(async () => (await types())[0]).toBe([...(await types())].sort()[0]);
  const ascending = await types();
  expect(ascending).toEqual([...ascending].sort());
  await table.getByRole('button', { name: /^Action/ }).click();
  await expect.poll(async () => (await types())[0]).toBe(ascending[ascending.length - 1]);

  // Filter by action type.
  await page.locator('#filter-action').fill('policy');
  await page.locator('#filter-action').press('Enter');
  await expect.poll(async () => (await types()).every((t) => t.startsWith('policy/'))).toBe(true);
  expect((await types()).length).toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Clear filters' }).click();

  // Copy the event id from the row's menu.
  const row = table.locator('tbody tr[data-type="user/create"]', { hasText: 'ada.activity@acme.example' });
  const eventId = await row.getAttribute('data-event');
  expect(eventId).toMatch(/^evt_/);
  await row.getByRole('button', { name: 'Copy ids' }).click();
  await row.getByRole('menuitem', { name: 'Copy event ID' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Copied' })).toContainText(eventId!);
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(eventId);

  // Download: the file's name, its exact header and the row.
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-activity').click()]);
  expect(download.suggestedFilename()).toMatch(/^events-\d{4}-\d{2}-\d{2}-\d+\.csv$/);
  const csv = fs.readFileSync((await download.path())!, 'utf8');
  const lines = csv.trim().split('\n');
  expect(lines[0]).toBe(HEADER);
  const line = lines.find((l) => l.startsWith(`${eventId},`));
  expect(line).toBeDefined();
  expect(line).toContain(',user/create,');
  expect(line).toContain('ada.activity@acme.example');
  expect(line!.split(',')[7]).toBe('');
  await expect(page.locator('#download-activity')).toHaveText('Download CSV');
});
