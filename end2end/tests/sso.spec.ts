import { test, expect, DEMO_PASSWORD, signIn, waitForHydration } from './helpers';

// SSO: an administrator configures the tenant's OpenID provider (a local fake), maps a
// group, checks it with the dry run; a person signs in through the provider and has the access;
// the provider drops the group, the person signs in again and the access is gone.

const FAKE = process.env.E2E_FAKE_URL!;

async function setGroups(request: import('@playwright/test').APIRequestContext, groups: string[]) {
  const r = await request.post(`${FAKE}/oidc/control`, {
    data: { email: 'sol.sso@acme.example', name: 'Sol SSO', groups },
  });
  expect(r.status()).toBe(200);
}

test('SSO sign-in gives what the mappings say, and takes it away when the group is gone', async ({ page, browser }) => {
  await signIn(page, 'admin@acme.example', DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/users/sso');
  await waitForHydration(page);
  await page.getByLabel('Issuer URL').fill(`${FAKE}/oidc`);
  await page.getByLabel('Client ID').fill('portcullis-e2e');
  await page.getByLabel('Client secret').fill('e2e-oidc-secret');
  await page.getByLabel('Email domains').fill('acme.example');
  await page.locator('#save-sso').click();
  await expect(page.locator('#sso-provider')).toContainText('Configured');

  await page.locator('#mapping-group').fill('e2e-analysts');
  await page.locator('#mapping-policy').selectOption({ label: 'Analyst' });
  await page.locator('#mapping-resource-group').selectOption({ label: 'All resource groups' });
  await page.locator('#add-mapping').click();
  await expect(page.locator('tr[data-mapping="e2e-analysts"]')).toContainText('Analyst');

  // The dry run, computed by core in the browser.
  await page.locator('#dry-groups').fill('e2e-analysts\ninterns');
  await page.locator('#run-dry-run').click();
  await expect(page.locator('#dry-run-result')).toContainText('Analyst on All resource groups');
  await expect(page.locator('#dry-run-result')).toContainText('interns');
  await page.screenshot({ path: 'test-results/sso.png', fullPage: true });

  // A person signs in through the provider with the mapped group.
  await setGroups(page.request, ['e2e-analysts']);
  const person = await browser.newContext();
  const p = await person.newPage();
  await p.goto('/signin');
  await waitForHydration(p);
  await p.getByLabel('Work email').fill('sol.sso@acme.example');
  await p.locator('#sso-sign-in').click();
  await expect(p).toHaveURL(/\/$/);
  await p.goto('/customer-360');
  await waitForHydration(p);
  await expect(p.getByText('Northwind C360').first()).toBeVisible();
  await expect(p.getByText('Southwind C360').first()).toBeVisible();
  await person.close();

  // The provider drops the group: the next sign-in is refused with the reason, access removed.
  await setGroups(page.request, []);
  const again = await browser.newContext();
  const q = await again.newPage();
  await q.goto('/signin');
  await waitForHydration(q);
  await q.getByLabel('Work email').fill('sol.sso@acme.example');
  await q.locator('#sso-sign-in').click();
  await expect(q).toHaveURL(/\/signin\?sso_error=/);
  await waitForHydration(q);
  await expect(q.locator('#sso-error')).toContainText('sent no groups');
  await q.screenshot({ path: 'test-results/sso-refused.png' });
  await again.close();

  // The administrator's dry run for that person now shows nothing to remove.
  await page.locator('#dry-groups').fill('interns');
  await page.locator('#dry-email').fill('sol.sso@acme.example');
  await page.locator('#run-dry-run').click();
  await expect(page.locator('#dry-run-result')).toContainText('No access');

  // Access given by hand, which no mapping names, reads by name too, never by id.
  await page.locator('#dry-email').fill('admin@acme.example');
  await page.locator('#run-dry-run').click();
  await expect(page.locator('#dry-run-result')).toContainText('User Administrator on All resource groups');
  await expect(page.locator('#dry-run-result')).not.toContainText(/pol_|rg_/);
});
