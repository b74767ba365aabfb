// The first page's figures for `make bench` (bench/run.sh, demo part):
//
//   node bench/web_fcp.mjs --base URL [--runs 5] [--dist web/dist] [--out FILE.json]
//
// 1. First-page JavaScript: the scripts web/dist/index.html loads eagerly
//    (<script src> and <link rel="modulepreload">), each gzip -9, summed;
//    the budget is 300 KB gzip. Cross-checked against the scripts Chromium
//    actually fetched for the page.
// 2. Time to first render: first-contentful-paint of / in headless Chromium
//    (Debian's, driven by playwright-core like tests/e2e), each load in a
//    fresh context (cold cache) after one unrecorded warm-up load; the
//    median of --runs. Reference in the same load: when the HTML document
//    had arrived (responseEnd), so the ratio shows what the app adds.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { launch, newPage } from '../tests/e2e/lib/browser.mjs';
import { signIn } from '../tests/e2e/lib/session.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const options = { base: null, runs: 5, dist: path.join(HERE, '..', 'web', 'dist'), out: null };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const value = () => {
    if (i + 1 >= argv.length) usage(`${argv[i]} needs a value`);
    return argv[++i];
  };
  if (argv[i] === '--base') options.base = value().replace(/\/$/, '');
  else if (argv[i] === '--runs') options.runs = Number(value());
  else if (argv[i] === '--dist') options.dist = value();
  else if (argv[i] === '--out') options.out = value();
  else usage(`unknown option ${argv[i]}`);
}
if (!options.base || !(options.runs >= 1)) usage('--base is required and --runs must be at least 1');

function usage(error) {
  console.error(`web_fcp: ${error}\nusage: node bench/web_fcp.mjs --base URL [--runs 5] [--dist web/dist] [--out FILE.json]`);
  process.exit(2);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const gzip9 = (buffer) => gzipSync(buffer, { level: 9 }).length;

// ------------------------------------------------ 1. first-page JS (dist)

function firstPageScripts(dist) {
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const urls = new Set();
  for (const tag of html.match(/<script\b[^>]*>/gi) ?? []) {
    const src = tag.match(/\bsrc\s*=\s*["']([^"']+)["']/i);
    if (src) urls.add(src[1]);
  }
  for (const tag of html.match(/<link\b[^>]*>/gi) ?? []) {
    if (!/\brel\s*=\s*["']?modulepreload/i.test(tag)) continue;
    const href = tag.match(/\bhref\s*=\s*["']([^"']+)["']/i);
    if (href) urls.add(href[1]);
  }
  const files = [];
  for (const url of urls) {
    if (/^[a-z]+:\/\//i.test(url)) continue;  // never from elsewhere; nothing to measure here
    const body = readFileSync(path.join(dist, url.replace(/^\//, '').split(/[?#]/)[0]));
    files.push({ file: url, raw_bytes: body.length, gzip_bytes: gzip9(body) });
  }
  return files;
}

const files = firstPageScripts(options.dist);
const js = {
  files,
  gzip_bytes: files.reduce((s, f) => s + f.gzip_bytes, 0),
  raw_bytes: files.reduce((s, f) => s + f.raw_bytes, 0),
  budget_bytes: 300 * 1024,
};

// ------------------------------------------- 2. first contentful paint

const server = { base: options.base };
server.token = await signIn(server);
const loads = [];
let fetched = null;
let fcpError = null;
let browser = null;
try {
  browser = await launch();
} catch (error) {
  fcpError = `Chromium did not start: ${error.message.split('\n')[0]}`;
  console.error(`web_fcp: ${fcpError}`);
}
if (browser) try {
  for (let run = 0; run <= options.runs; run++) {
    const page = await newPage(browser, server);
    const scripts = new Map();
    page.on('response', async (response) => {
      if (response.request().resourceType() === 'script') scripts.set(response.url(), await response.body().catch(() => Buffer.alloc(0)));
    });
    await page.goto(`${options.base}/`, { waitUntil: 'load' });
    const timing = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const read = () => {
            const fcp = performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint');
            if (!fcp) return false;
            const nav = performance.getEntriesByType('navigation')[0];
            resolve({ fcp_ms: fcp.startTime, html_ms: nav?.responseEnd ?? null, dom_content_loaded_ms: nav?.domContentLoadedEventEnd ?? null });
            return true;
          };
          if (read()) return;
          new PerformanceObserver(() => read()).observe({ type: 'paint', buffered: true });
          setTimeout(() => resolve({ fcp_ms: null, html_ms: null, dom_content_loaded_ms: null }), 10000);
        }),
    );
    await page.context().close();
    if (run === 0) continue;  // the warm-up: browser and server caches
    loads.push(timing);
    fetched ??= [...scripts.entries()].map(([url, body]) => ({ url: new URL(url).pathname, gzip_bytes: gzip9(body) }));
    console.error(`web_fcp: load ${run}: first-contentful-paint ${timing.fcp_ms?.toFixed(1)} ms (HTML at ${timing.html_ms?.toFixed(1)} ms)`);
  }
} finally {
  await browser.close();
}

const painted = loads.filter((l) => l.fcp_ms != null);
if (browser && painted.length === 0) fcpError = 'no first-contentful-paint recorded';
const result = {
  base: options.base,
  first_page_js: { ...js, fetched_by_chromium: fetched, fetched_gzip_bytes: fetched?.reduce((s, f) => s + f.gzip_bytes, 0) ?? null },
  fcp_error: fcpError,
  fcp: !painted.length ? null : {
    runs: options.runs,
    painted: painted.length,
    fcp_ms: loads.map((l) => l.fcp_ms),
    median_ms: median(painted.map((l) => l.fcp_ms)),
    html_response_end_median_ms: median(painted.map((l) => l.html_ms)),
    dom_content_loaded_median_ms: median(painted.map((l) => l.dom_content_loaded_ms)),
  },
};
const text = JSON.stringify(result);
if (options.out) writeFileSync(options.out, text + '\n');
console.log(text);
