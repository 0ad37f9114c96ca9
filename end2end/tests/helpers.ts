import { test as base, expect, Page } from '@playwright/test';
import * as fs from 'fs';

export { expect };

/**
 * Every spec's `test`: it records the console's answers (not the static bundle) to a file, so
 * the last spec can prove no planted secret ever came back in one.
 */
export const test = base.extend<{ recordAnswers: void }>({
  recordAnswers: [async ({ page, baseURL }, use) => {
    const file = process.env.E2E_RESPONSES_FILE;
    const pending: Promise<void>[] = [];
    if (file && baseURL) {
      page.on('response', (response) => {
        const url = response.url();
        if (!url.startsWith(baseURL) || url.includes('/pkg/')) return;
        pending.push(response.text()
          .then((body) => fs.appendFileSync(file, JSON.stringify({ url, body }) + '\n'))
          .catch(() => undefined));
      });
    }
    await use();
    await Promise.all(pending);
  }, { auto: true }],
});

/** Notes a secret the console showed once (a token's), for the planted-secret check. */
export function planted(secret: string) {
  const file = process.env.E2E_PLANTED_FILE;
  if (file) fs.appendFileSync(file, secret + '\n');
}

export const DEMO_PASSWORD = 'portcullis-demo-2026';
export const OPERATOR = 'operator@portcullis.dev';

/** Waits until the wasm bundle has taken over the server-rendered page. */
export async function waitForHydration(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

/** Signs in through the form, as a person would. */
export async function signIn(page: Page, email: string, password: string) {
  await page.goto('/signin');
  await waitForHydration(page);
  await page.getByLabel('Work email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Every page of the console, as the route table lists them; pages of one record are reached by
 *  following the first link to one from their list. */
const CONSOLE_PAGES = ['/', '/users', '/users/activity', '/users/sso', '/customer-360', '/sources',
  '/security/authorizations', '/security/authorizations/new', '/apps', '/jobs'];
const RECORD_LINKS: [string, string][] = [
  ['/security/authorizations', 'a[href^="/security/authorizations/"]:not([href$="/new"])'],
  ['/jobs', 'a[href^="/jobs/"]'],
];

/** Loads `path` and waits until it works. */
export async function visit(page: Page, path: string) {
  await page.goto(path, { waitUntil: 'networkidle' });
  await waitForHydration(page);
}

/** The path of every page the signed-in person can open, records' pages included. */
export async function consolePages(page: Page): Promise<string[]> {
  const paths = [...CONSOLE_PAGES];
  for (const [list, link] of RECORD_LINKS) {
    await visit(page, list);
    const href = await page.locator(link).first().getAttribute('href');
    expect(href, `a record's page is linked from ${list}`).toBeTruthy();
    paths.push(href!);
  }
  return paths;
}
