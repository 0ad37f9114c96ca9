import { test, expect, planted, DEMO_PASSWORD, signIn, waitForHydration } from './helpers';

// Installs on an agency: an agency's member installs an app through consent on the
// agency; its bot reads the agency's boards, and a permission it was not granted is a 403 naming it.

test('an agency member installs an app on the agency and its bot reads the boards', async ({ page, browser }) => {
  await signIn(page, 'admin@globex.example', DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/apps');
  await waitForHydration(page);
  await page.locator('#new-app').click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name').fill('Screen manager');
  await dialog.getByLabel('Description').fill('Keeps screen inventory in sync');
  await dialog.getByRole('button', { name: 'Operator Management App' }).click();
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('status').first()).toContainText('Created Screen manager');
  const panel = page.locator('section[data-app="Screen manager"]');
  const installLink = (await panel.locator('.install-link').textContent())!.trim();
  await panel.getByRole('button', { name: '+ New token' }).click();
  await dialog.getByLabel('Name').fill('inventory');
  await dialog.getByRole('button', { name: 'Create' }).click();
  const token = (await dialog.locator('#shown-token').textContent())!.trim();
  const secret = (await dialog.locator('#shown-secret').textContent())!.trim();
  planted(secret);
  const auth = { Authorization: `Bearer ${token}:${secret}` };

  const ops = await (await browser.newContext()).newPage();
  await signIn(ops, 'ops@orbit.example', DEMO_PASSWORD);
  await expect(ops).toHaveURL(/\/$/);
  await ops.goto(installLink);
  await waitForHydration(ops);
  await expect(ops.getByRole('heading', { level: 1 })).toContainText('Install Screen manager on Orbit Media?');
  const consent = ops.locator('#consent');
  await expect(consent).toContainText('on this agency only');
  await expect(consent.locator('li[data-permission]')).toHaveCount(3);
  await expect(consent.locator('li[data-permission="agency.viewBoards"]')).toContainText('View screen inventory');
  const orbit = await ops.locator('#install-targets a.active').getAttribute('data-agency');
  expect(orbit).toMatch(/^agc_/);
  const before = await page.request.get(`/api/v1/agencies/${orbit}/boards`, { headers: auth });
  expect(before.status()).toBe(404);
  await ops.screenshot({ path: 'test-results/agency-consent.png', fullPage: true });
  await ops.locator('#consent-allow').click();
  await expect(ops).toHaveURL(/\/apps\?installed=1$/);
  await waitForHydration(ops);
  await expect(ops.locator('#installed-apps tr[data-install="Screen manager"]')).toContainText('Orbit Media (agency)');

  const boards = await page.request.get(`/api/v1/agencies/${orbit}/boards`, { headers: auth });
  expect(boards.status()).toBe(200);
  const listed = await boards.json();
  expect(listed.items.length).toBe(4);
  expect(listed.items.map((b: { name: string }) => b.name)).toContain('Times Square North');
  const devices = await page.request.get(`/api/v1/agencies/${orbit}/lightning-devices`, { headers: auth });
  expect(devices.status()).toBe(403);
  expect((await devices.json()).error.missing_permission).toBe('agency.viewLightningDevices');
});
