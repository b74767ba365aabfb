// Debian's Chromium driven by playwright-core, with axe-core for the
// accessibility checks. Never downloads a browser.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { prepareContext } from './session.mjs';

// The test-only npm packages live in web/ (one lock file).
export const webRequire = createRequire(new URL('../../../web/package.json', import.meta.url));
const { chromium } = webRequire('playwright-core');
const axeSource = readFileSync(webRequire.resolve('axe-core/axe.min.js'), 'utf8');

export const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

export async function launch() {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

// A fresh context per scenario: empty storage, Japan's time zone, and
// signed in to server ({ base, token }) as lib/session.mjs does it; pass
// session: null to start signed out, or another token.
export async function newPage(browser, server, { width = 1280, height = 900, locale = 'ja-JP', ...access } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale, timezoneId: 'Asia/Tokyo', acceptDownloads: true });
  await prepareContext(context, server, access);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // A 4xx answer that the page shows as a message is expected, not a fault.
    if (message.type() === 'error' && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())) {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.problems = problems;
  return page;
}

// JIS X 8341-3 AA ≈ WCAG 2.1 AA: axe with the wcag2a/2aa/21a/21aa rules.
export async function assertAccessible(page, name) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
  );
  const summary = result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} — ${n.failureSummary?.split('\n')[1]?.trim() ?? ''}`).join('\n    ')}`,
  );
  assert.deepEqual(summary, [], `axe found violations on ${name}:\n${summary.join('\n')}`);
  return result.passes.length;
}

// The whole page, or only the window for a page as long as the city map's
// list of some 900 features.
export async function screenshot(page, name, { fullPage = true } = {}) {
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage });
}
