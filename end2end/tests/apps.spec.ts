import { test, expect, planted, DEMO_PASSWORD, signIn, waitForHydration } from './helpers';

// Applications and bot tokens: a preset, a token whose secret is shown once, the API.

test('a developer creates an app from a preset, makes a token, an administrator installs it through consent, the bot calls the API, the token is revoked', async ({ page, browser }) => {
  await signIn(page, 'owner.b@acme.example', DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/apps');
  await waitForHydration(page);
  await expect(page.getByText('No applications yet.')).toBeVisible();

  await page.locator('#new-app').click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name').fill('Campaign reporter');
  await dialog.getByLabel('Description').fill('Weekly performance reports for brand B');
  await dialog.getByRole('button', { name: 'Analytics Dashboard App' }).click();
  await expect(dialog.getByLabel('Why the app needs account.viewAnalytics')).toHaveValue('View campaign performance data');
  // A permission without a reason is refused next to its box.
  await dialog.locator('[data-permission="account.viewFeeds"] input[type=checkbox]').check();
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog.locator('[data-field="why.account.viewFeeds"]')).toContainText('why the app needs account.viewFeeds');
  await dialog.getByLabel('Why the app needs account.viewFeeds').fill('Show which feeds drive the campaigns');
  await dialog.locator('[data-permission="account.view"] input[type=checkbox]').check();
  await dialog.getByLabel('Why the app needs account.view', { exact: true }).fill("Show the account's name on reports");
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('status').first()).toContainText('Created Campaign reporter');
  const panel = page.locator('section[data-app="Campaign reporter"]');
  await expect(panel.locator('.permissions-table')).toContainText('account.viewAnalytics');
  await expect(panel.locator('.permissions-table')).toContainText('Show which feeds drive the campaigns');

  await panel.getByRole('button', { name: '+ New token' }).click();
  await dialog.getByLabel('Name').fill('nightly sync');
  await expect(dialog.getByLabel('Type')).toHaveValue('authentication');
  await dialog.getByRole('button', { name: 'Create' }).click();
  const token = (await dialog.locator('#shown-token').textContent())!.trim();
  const secret = (await dialog.locator('#shown-secret').textContent())!.trim();
  planted(secret);
  expect(token).toMatch(/^pct_/);
  expect(secret).toMatch(/^[0-9a-f]{64}$/);
  await expect(dialog).toContainText('You will not be able to see it again');
  await page.screenshot({ path: 'test-results/apps-token.png', fullPage: true });
  await dialog.getByRole('button', { name: 'I have copied it' }).click();

  // After a reload the secret is nowhere on the page.
  await page.reload();
  await waitForHydration(page);
  await expect(panel.locator('tr[data-token="nightly sync"]')).toContainText(token);
  expect(await page.content()).not.toContain(secret);

  const me = await page.request.get('/api/v1/me', { headers: { Authorization: `Bearer ${token}:${secret}` } });
  expect(me.status()).toBe(200);
  expect((await me.json()).app.name).toBe('Campaign reporter');
  await page.reload();
  await waitForHydration(page);
  await expect(panel.locator('tr[data-token="nightly sync"]')).not.toContainText('never');
  await page.screenshot({ path: 'test-results/apps.png', fullPage: true });

  // A data administrator may not install apps; the tenant's user administrator may, through consent.
  const installLink = (await panel.locator('.install-link').getAttribute('href'))!;
  await page.goto(installLink);
  await expect(page.getByRole('alert')).toContainText('install and uninstall apps');
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, 'admin@acme.example', DEMO_PASSWORD);
  await expect(admin).toHaveURL(/\/$/);
  const acme = await admin.locator('.tenant-switcher select').inputValue();
  await admin.goto(installLink);
  await waitForHydration(admin);
  const consent = admin.locator('#consent');
  await expect(consent.locator('li[data-permission]')).toHaveCount(4);
  await expect(consent.locator('li[data-permission="account.view"]')).toContainText("Show the account's name on reports");
  await admin.screenshot({ path: 'test-results/apps-consent.png', fullPage: true });
  const before = await page.request.get(`/api/v1/accounts/${acme}`, { headers: { Authorization: `Bearer ${token}:${secret}` } });
  expect(before.status()).toBe(404);
  await admin.locator('#consent-allow').click();
  await expect(admin).toHaveURL(/\/apps\?installed=1$/);
  await expect(admin.locator('#installed-apps tr[data-install="Campaign reporter"]')).toContainText('account.view');
  const account = await page.request.get(`/api/v1/accounts/${acme}`, { headers: { Authorization: `Bearer ${token}:${secret}` } });
  expect(account.status()).toBe(200);
  expect((await account.json()).name).toBe('Acme Retail');
  // The installed bot reads real records: the demo's 30 days of campaign figures and campaigns.
  const analytics = await page.request.get(`/api/v1/accounts/${acme}/analytics`, { headers: { Authorization: `Bearer ${token}:${secret}` } });
  expect(analytics.status()).toBe(200);
  const figures = await analytics.json();
  expect(figures.days.length).toBe(30);
  expect(figures.totals.impressions).toBeGreaterThan(0);
  const campaigns = await page.request.get(`/api/v1/accounts/${acme}/campaigns?limit=2`, { headers: { Authorization: `Bearer ${token}:${secret}` } });
  expect(campaigns.status()).toBe(200);
  const listed = await campaigns.json();
  expect(listed.items.length).toBe(2);
  expect(listed.next).not.toBeNull();
  // Not granted: a 403 that names the permission.
  const feedsDenied = await page.request.post(`/api/v1/accounts/${acme}/feeds`, {
    headers: { Authorization: `Bearer ${token}:${secret}` },
    data: { name: 'Prices', url: 'https://data.acme.example/prices.json', format: 'json' },
  });
  expect(feedsDenied.status()).toBe(403);
  expect((await feedsDenied.json()).error.missing_permission).toBe('account.createFeeds');

  await page.goto('/apps');
  await waitForHydration(page);
  await panel.locator('tr[data-token="nightly sync"]').getByRole('button', { name: 'Revoke' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
  await expect(panel.locator('tr[data-token="nightly sync"]')).toContainText('Revoked');
  const refused = await page.request.get('/api/v1/me', { headers: { Authorization: `Bearer ${token}:${secret}` } });
  expect(refused.status()).toBe(401);
});
