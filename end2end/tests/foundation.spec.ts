import { test, expect, DEMO_PASSWORD, OPERATOR, signIn, waitForHydration } from './helpers';

test('the operator signs in, sees the shell, switches tenant and signs out', async ({ page, context }) => {
  await signIn(page, OPERATOR, DEMO_PASSWORD);

  // The shell: every area of the console is one click away.
  await expect(page).toHaveURL(/\/$/);
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const area of ['Overview', 'Users & Activity', 'Customer 360', 'Authorizations', 'Apps', 'Jobs']) {
    await expect(nav.getByRole('link', { name: area })).toBeVisible();
  }
  await waitForHydration(page);
  const switcher = page.getByLabel('Tenant', { exact: true });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Acme Retail');
  await expect(page.getByRole('cell', { name: /Northwind C360/ })).toBeVisible();
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'portcullis_session');
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe('Lax');

  // Needs hydration: changing the select calls a server function from the browser.
  await switcher.selectOption({ label: 'Globex Foods · Orbit Media' });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Globex Foods');
  await expect(page.getByRole('cell', { name: /Globex C360/ })).toBeVisible();

  // Sorting the databases table is done in the browser too. The switch reloaded the page: wait
  // for the new page to hydrate before using the switcher again.
  await waitForHydration(page);
  await page.getByLabel('Tenant', { exact: true }).selectOption({ label: 'Acme Retail · Orbit Media' });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Acme Retail');
  const firstCell = page.locator('table.data-table tbody tr').first().locator('td').first();
  await expect(firstCell).toContainText('Northwind C360');
  await page.getByRole('button', { name: /^Name/ }).click();
  await expect(firstCell).toContainText('Southwind C360');

  await page.screenshot({ path: 'test-results/console-overview.png', fullPage: true });

  // Every area answers; none is a 404.
  for (const path of ['/users', '/customer-360', '/security/authorizations', '/apps', '/jobs']) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(200);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  }

  // Sign out ends the session on the server: the old cookie no longer opens the console.
  await page.goto('/');
  await waitForHydration(page);
  const userButton = page.getByRole('button', { name: /Olivia Operator/ });
  await userButton.click();
  await expect(page.getByRole('menuitem', { name: 'Sign out' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('menuitem', { name: 'Sign out' })).toBeHidden();
  await userButton.click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signin$/);
  await context.addCookies([{ ...session!, expires: -1 }]);
  await page.goto('/');
  await expect(page).toHaveURL(/\/signin$/);
});

test('a wrong password shows an error beside the field and opens no session', async ({ page, context }) => {
  await signIn(page, OPERATOR, 'not the right password');
  const error = page.locator('#password-error');
  await expect(error).toBeVisible();
  await expect(error).toHaveText('the email or password is not right');
  await expect(page).toHaveURL(/\/signin$/);
  const cookies = await context.cookies();
  expect(cookies.find((c) => c.name === 'portcullis_session')).toBeUndefined();
  await page.goto('/');
  await expect(page).toHaveURL(/\/signin$/);
});

test('the email rule from core runs in the browser as soon as the field is left', async ({ page }) => {
  await page.goto('/signin');
  await waitForHydration(page);
  await page.getByLabel('Work email').fill('ana@localhost');
  await page.getByLabel('Password').focus();
  await expect(page.locator('#email-error')).toHaveText(
    'the domain needs at least two parts separated by a dot, like example.com',
  );
  await page.getByLabel('Work email').fill('ana@example.com');
  await expect(page.locator('#email-error')).toBeHidden();
});

test('an unknown address shows the not-found page with a 404', async ({ page }) => {
  const response = await page.goto('/no-such-page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
});

test("brand A's owner sees only brand A's database (seed 003 multi-brand example)", async ({ page }) => {
  await signIn(page, 'owner.a@acme.example', DEMO_PASSWORD);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Acme Retail');
  await expect(page.getByRole('cell', { name: /Northwind C360/ })).toBeVisible();
  await expect(page.getByRole('cell', { name: /Southwind C360/ })).toHaveCount(0);
});
