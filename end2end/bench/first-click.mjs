// Time to the first working click, and bytes on the wire, as a mid-range laptop on 4G sees them.
//
// Usage: node bench/first-click.mjs BASE_URL EMAIL PASSWORD RUNS
// Prints one JSON object: the sign-in page's cold first load in bytes (brotli accepted), and per
// page the median over RUNS cold loads of the time from navigation to the first click that
// worked, with the clicks before it that did nothing. Throttling is Lighthouse's mobile
// profile: CPU 4x slower, 150 ms round trips, 1.6 Mbit/s down, 750 kbit/s up.
import { chromium } from '@playwright/test';

const [base, email, password, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 3);
const THROTTLE = { offline: false, latency: 150, downloadThroughput: (1638.4 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };

// Each page: the control a person reaches for first, and what shows that the click worked.
const PAGES = [
  {
    name: 'overview', path: '/',
    control: (page) => page.getByRole('button', { name: /^Name/ }),
    worked: (page) => page.locator('table.data-table tbody tr').first().locator('td').first().filter({ hasText: 'Southwind' }),
  },
  {
    name: 'users', path: '/users',
    control: (page) => page.locator('#add-user'),
    worked: (page) => page.getByRole('dialog'),
  },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-quic'],
});
try {
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');

  // The sign-in page's first load: every byte received, with nothing cached.
  let bytes = 0;
  const onFinished = (e) => { bytes += e.encodedDataLength; };
  cdp.on('Network.loadingFinished', onFinished);
  await page.goto('/signin', { waitUntil: 'networkidle' });
  cdp.off('Network.loadingFinished', onFinished);

  await page.getByLabel('Work email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${base}/`);

  const result = { signin_first_load_bytes: bytes, pages: {} };
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await cdp.send('Network.emulateNetworkConditions', THROTTLE);
  for (const target of PAGES) {
    const times = [];
    const dead = [];
    for (let run = 0; run < runs; run++) {
      await cdp.send('Network.clearBrowserCache');
      await page.goto('about:blank');
      const start = Date.now();
      await page.goto(target.path, { waitUntil: 'commit' });
      let clicks = 0;
      for (;;) {
        if (Date.now() - start > 60_000) throw new Error(`${target.name}: no click worked within 60 s`);
        const at = Date.now() - start;
        try {
          await target.control(page).click({ timeout: 5_000 });
        } catch {
          continue;
        }
        clicks++;
        if (await target.worked(page).waitFor({ timeout: 100 }).then(() => true, () => false)) {
          times.push(at);
          dead.push(clicks - 1);
          break;
        }
      }
    }
    times.sort((a, b) => a - b);
    result.pages[target.name] = { first_working_click_ms: times[Math.floor(times.length / 2)], dead_clicks: Math.max(...dead), runs };
  }
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
}
