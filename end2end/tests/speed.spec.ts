import { test, expect, waitForHydration } from './helpers';
import type { CDPSession, Page } from '@playwright/test';

/** The sign-in page's first load, as a browser accepting brotli receives it, headers included,
 *  in bytes. */
const SIGN_IN_FIRST_LOAD_BUDGET = 250_000;

type Fetch = { url: string; bytes: number; cached: boolean; status: number };

/** Records every request the page makes from now on: its bytes on the wire and whether the
 *  browser's cache answered it. */
async function recordNetwork(page: Page): Promise<{ cdp: CDPSession; fetches: Map<string, Fetch> }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const fetches = new Map<string, Fetch>();
  cdp.on('Network.requestWillBeSent', (e) => fetches.set(e.requestId, { url: e.request.url, bytes: 0, cached: false, status: 0 }));
  cdp.on('Network.requestServedFromCache', (e) => { const f = fetches.get(e.requestId); if (f) f.cached = true; });
  cdp.on('Network.responseReceived', (e) => {
    const f = fetches.get(e.requestId);
    if (!f) return;
    f.status = e.response.status;
    if (e.response.fromDiskCache || e.response.fromPrefetchCache) f.cached = true;
  });
  cdp.on('Network.loadingFinished', (e) => { const f = fetches.get(e.requestId); if (f) f.bytes = e.encodedDataLength; });
  return { cdp, fetches };
}

async function load(page: Page, path: string) {
  await page.goto(path, { waitUntil: 'networkidle' });
  await waitForHydration(page);
}

const name = (url: string) => new URL(url).pathname;

test('the sign-in page loads within its budget, and a second visit fetches only the page', async ({ page }) => {
  const { cdp, fetches } = await recordNetwork(page);
  await load(page, '/signin');
  const first = [...fetches.values()];
  const total = first.reduce((sum, f) => sum + f.bytes, 0);
  console.log(`sign-in first load: ${total} bytes in ${first.length} requests`);
  for (const f of first) console.log(`  ${String(f.bytes).padStart(8)}  ${f.status}  ${name(f.url)}`);
  expect(first.some((f) => /\.wasm$/.test(f.url)), 'the bundle was loaded').toBe(true);
  expect(total, 'sign-in first load (HTML and every file, brotli)').toBeLessThanOrEqual(SIGN_IN_FIRST_LOAD_BUDGET);

  // Every file of the bundle is named after its contents and kept for a year.
  for (const f of first.filter((f) => name(f.url).startsWith('/pkg/'))) {
    const response = await page.request.get(f.url, { headers: { 'accept-encoding': 'br' } });
    expect(response.headers()['cache-control'], name(f.url)).toBe('public, max-age=31536000, immutable');
    expect(response.headers()['content-encoding'], name(f.url)).toBe('br');
  }

  fetches.clear();
  await load(page, '/signin');
  const again = [...fetches.values()];
  const fromNetwork = again.filter((f) => !f.cached && name(f.url) !== '/signin');
  console.log(`sign-in second visit: ${again.filter((f) => !f.cached).reduce((s, f) => s + f.bytes, 0)} bytes; ` +
    `${again.filter((f) => f.cached).length} files from the cache`);
  expect(fromNetwork.map((f) => name(f.url)), 'nothing but the page comes over the network again').toEqual([]);
  // The page itself is never stored: it may hold a tenant's data.
  const pageAgain = again.find((f) => name(f.url) === '/signin');
  expect(pageAgain?.cached).toBe(false);
  await cdp.detach();
});
