import { test, expect, signIn, visit, consolePages, DEMO_PASSWORD, OPERATOR } from './helpers';
import type { Page } from '@playwright/test';

/** A desktop and an 820 px tablet held upright. */
const WIDTHS = [1280, 820];

/** What sticks out: the page wider than the window, anything reaching past the right edge of the
 *  panel or dialog that holds it, or a box that hides a sideways scroll. */
async function overflows(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const name = (el: Element) => {
      const id = el.id ? `#${el.id}` : '';
      const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
      const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
      return `${el.tagName.toLowerCase()}${id}${cls} "${text}"`;
    };
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth + 1) {
      found.push(`the page is ${root.scrollWidth}px wide in a ${root.clientWidth}px window`);
    }
    for (const holder of document.querySelectorAll('.panel, .dialog, .auth-card')) {
      const edge = holder.getBoundingClientRect().right;
      for (const el of holder.querySelectorAll('*')) {
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) continue;
        if (box.right > edge + 1) found.push(`${name(el)} reaches ${Math.round(box.right - edge)}px past ${name(holder)}`);
        const style = getComputedStyle(el);
        if (['auto', 'scroll'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1) {
          found.push(`${name(el)} scrolls sideways by ${el.scrollWidth - el.clientWidth}px`);
        }
      }
    }
    // One report per element is enough, and nested ones repeat their parents.
    return [...new Set(found)].slice(0, 8);
  });
}

for (const [who, email] of [['a tenant administrator', 'admin@acme.example'], ['the operator', OPERATOR]]) {
  test(`no page overflows at 1280 or 820 px for ${who}`, async ({ page }) => {
    test.setTimeout(180_000);
    await signIn(page, email, DEMO_PASSWORD);
    await expect(page).toHaveURL(/\/$/);
    const problems: string[] = [];
    for (const path of await consolePages(page)) {
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 900 });
        await visit(page, path);
        for (const p of await overflows(page)) problems.push(`${path} at ${width}px: ${p}`);
      }
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(problems, 'nothing sticks out of its panel or the window').toEqual([]);
  });
}
