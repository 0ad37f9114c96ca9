import { expect, Page } from '@playwright/test';

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
