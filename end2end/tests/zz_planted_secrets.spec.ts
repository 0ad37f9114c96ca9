import * as fs from 'fs';
import { test, expect, DEMO_PASSWORD, signIn, waitForHydration } from './helpers';

// Runs last (specs run in file order, one worker): the secrets the other specs planted (an API
// key, an identity provider's client secret, bot tokens' secrets) appear in no answer the
// console gave, no line the server logged, no activity row or CSV, and nowhere in plaintext in
// the database file. A token's secret is shown once, in the answer that created it.

const KNOWN = ['SG.e2e-good-key', 'e2e-oidc-secret'];

function read(path: string | undefined): string {
  return path && fs.existsSync(path) ? fs.readFileSync(path).toString('latin1') : '';
}

test('no planted secret leaks into answers, logs, the activity log or the database', async ({ page }) => {
  const tokens = read(process.env.E2E_PLANTED_FILE).split('\n').filter((s) => s.length > 0);
  const secrets = [...KNOWN, ...tokens];
  expect(tokens.length, 'the apps specs planted token secrets').toBeGreaterThan(0);

  // The activity log as an administrator downloads it.
  await signIn(page, 'admin@acme.example', DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/users/activity');
  await waitForHydration(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-activity').click()]);
  const csv = fs.readFileSync((await download.path())!).toString();
  expect(csv.split('\n').length).toBeGreaterThan(2);

  const answers = read(process.env.E2E_RESPONSES_FILE).split('\n').filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as { url: string; body: string });
  expect(answers.length, 'the specs recorded the console answers').toBeGreaterThan(50);
  const log = read(process.env.E2E_SERVER_LOG);
  expect(log.length, 'the server wrote a log').toBeGreaterThan(0);
  const dbFile = process.env.E2E_DB_FILE!;
  const database = read(dbFile) + read(`${dbFile}-wal`);

  let checked = 0;
  for (const secret of secrets) {
    const leaks = answers
      // The one answer that shows a new token's secret, by design.
      .filter((a) => a.body.includes(secret) && !/create_token/i.test(a.url))
      .map((a) => a.url);
    expect(leaks, `${secret.slice(0, 6)}… came back in answers`).toEqual([]);
    expect(log.includes(secret), `${secret.slice(0, 6)}… is in the server log`).toBe(false);
    expect(csv.includes(secret), `${secret.slice(0, 6)}… is in the activity CSV`).toBe(false);
    expect(database.includes(secret), `${secret.slice(0, 6)}… is in the database in plaintext`).toBe(false);
    checked += 1;
  }
  console.log(`planted secrets: ${checked} checked against ${answers.length} answers, ${log.split('\n').length} log lines, the CSV and the database`);
});
