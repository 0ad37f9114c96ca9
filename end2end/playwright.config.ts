import { defineConfig } from '@playwright/test';
import * as os from 'os';
import * as path from 'path';

// One fresh SQLite database per run, served by the real binary on a loopback port of its own.
const port = Number(process.env.E2E_PORT ?? 3100);
// Workers load this file again: they inherit the runner's path through the environment.
const dbFile =
  process.env.E2E_DB_FILE ?? path.join(os.tmpdir(), `portcullis-e2e-${process.pid}-${Date.now()}.db`);
const keyFile = `${dbFile}.key`;
const fakePort = port + 99;
process.env.E2E_FAKE_URL = `http://127.0.0.1:${fakePort}`;
// Specs read the database file to prove secrets are not stored in plaintext.
process.env.E2E_DB_FILE = dbFile;
// The last spec greps the server's log, the console's answers and the secrets shown once.
process.env.E2E_SERVER_LOG ??= `${dbFile}.log`;
process.env.E2E_RESPONSES_FILE ??= `${dbFile}.answers.jsonl`;
process.env.E2E_PLANTED_FILE ??= `${dbFile}.planted`;

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  webServer: [{
    command: 'node fake-provider.mjs',
    url: `http://127.0.0.1:${fakePort}/health`,
    timeout: 20_000,
    reuseExistingServer: false,
    env: { FAKE_PROVIDER_PORT: String(fakePort) },
  }, {
    // Its output goes to a file the planted-secret spec reads.
    command: `sh -c 'exec ./target/debug/portcullis serve --demo --addr 127.0.0.1:${port} >> "${process.env.E2E_SERVER_LOG}" 2>&1'`,
    cwd: '..',
    url: `http://127.0.0.1:${port}/api/v1/health`,
    timeout: 60_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    env: {
      DATABASE_URL: `sqlite://${dbFile}?mode=rwc`,
      LEPTOS_SITE_ROOT: 'target/site',
      LEPTOS_OUTPUT_NAME: 'portcullis',
      RUST_LOG: 'info',
      PORTCULLIS_KEY_FILE: keyFile,
      // SendGrid's health check goes to the local fake.
      PORTCULLIS_PROVIDER_URLS: `sendgrid=http://127.0.0.1:${fakePort}`,
      PORTCULLIS_CHECK_EVERY_SECS: '5',
      // The fake provider listens on loopback, which the egress policy closes by default.
      PORTCULLIS_EGRESS_ALLOW: '127.0.0.0/8',
    },
  }],
});
