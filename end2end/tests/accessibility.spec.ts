import AxeBuilder from '@axe-core/playwright';
import { test, expect, signIn, visit, consolePages, DEMO_PASSWORD } from './helpers';

/** axe-core's findings that keep someone from using a page: serious and critical ones. */
async function blockers(page: import('@playwright/test').Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help}; ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

test('the sign-in page has no serious or critical accessibility findings', async ({ page }) => {
  await visit(page, '/signin');
  expect(await blockers(page)).toEqual([]);
});

test('no console page has serious or critical accessibility findings', async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, 'admin@acme.example', DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  const found: string[] = [];
  for (const path of await consolePages(page)) {
    await visit(page, path);
    for (const b of await blockers(page)) found.push(`${path}: ${b}`);
  }
  expect(found).toEqual([]);
});
