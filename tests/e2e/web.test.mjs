// End-to-end tests of the web app: a real machi serves web/dist and the
// NGSI-LD API, Debian's Chromium drives the pages, axe-core checks each one.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { Machi } from '../api/lib/machi.mjs';
import { ARTIFACTS, assertAccessible, launch, newPage, screenshot } from './lib/browser.mjs';
import { BUS_STOPS, demoCity, DISTRICTS, loadDemoCity, SCHOOL_ID, SCHOOL_NAME } from './lib/seed.mjs';

const DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));
const FACTORS_JA = ['社会的受容', 'リビングラボ', '人財育成', 'QoL評価', 'エコシステム'];
const FIRST_PAGE_JS_LIMIT = 300 * 1024;

let machi;
let base;
let browser;
let entityCount;

// machi itself serves web/dist (`machi serve --web DIR`) next to the API.
async function startMachi() {
  assert.ok(existsSync(`${DIST}index.html`), 'web/dist is missing: run `npm run build` in web/ (tests/e2e/run.sh does)');
  const server = await new Machi({ args: ['--web', DIST] }).start();
  console.log(`web: machi serves ${DIST} and the API at ${server.base}`);
  return server;
}

before(async () => {
  machi = await startMachi();
  base = machi.base;
  entityCount = (await loadDemoCity(machi)).length;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await machi?.stop();
  machi?.cleanup();
});

async function open(page, path) {
  await page.goto(base + path, { waitUntil: 'networkidle' });
  await page.locator('main h1').first().waitFor();
}

function assertNoProblems(page) {
  assert.deepEqual(page.problems, [], `browser errors:\n${page.problems.join('\n')}`);
}

describe('web app', () => {
  test('serves the app for client-side routes', async () => {
    for (const path of ['/', '/explorer', `/explorer/entities/${encodeURIComponent(SCHOOL_ID)}`, '/map', '/portal']) {
      const r = await fetch(base + path);
      assert.equal(r.status, 200, path);
      assert.match(r.headers.get('content-type') ?? '', /text\/html/, path);
    }
    const api = await fetch(`${base}/ngsi-ld/v1/entities/urn:ngsi-ld:Nothing:1`);
    assert.equal(api.status, 404, 'API paths never fall back to index.html');
    assert.match(api.headers.get('content-type') ?? '', /json/);
  });

  test('home loads in Japanese with the five factors and live figures, fast and small', async () => {
    const page = await newPage(browser);
    const scripts = new Map();
    page.on('response', async (response) => {
      if (response.request().resourceType() === 'script') scripts.set(response.url(), await response.body().catch(() => Buffer.alloc(0)));
    });
    await open(page, '/');
    assert.equal(await page.getAttribute('html', 'lang'), 'ja');
    const text = await page.locator('main').innerText();
    for (const factor of FACTORS_JA) assert.ok(text.includes(factor), `home mentions ${factor}`);
    await page.getByTestId('hub-total').waitFor();
    assert.equal(await page.getByTestId('hub-total').innerText(), String(entityCount));
    assert.equal(await page.locator('.factor--planned').count(), 4, 'four factors are honestly coming soon');
    assert.ok((await page.locator('.factor--planned .badge').first().innerText()).includes('準備中'));
    assert.match(await page.getByTestId('today').innerText(), /年度/);
    assert.match(await page.title(), /ホーム/);

    // Benchmark figures: the JavaScript the first page loads, and when it painted.
    const fcp = await page.evaluate(() => performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint')?.startTime ?? -1);
    let gzip = 0;
    let raw = 0;
    for (const body of scripts.values()) {
      raw += body.length;
      gzip += gzipSync(body).length;
    }
    console.log(`web-bench first_page_js_gzip_bytes=${gzip} first_page_js_raw_bytes=${raw} first_page_js_files=${scripts.size}`);
    console.log(`web-bench first_contentful_paint_ms=${fcp.toFixed(1)}`);
    writeFileSync(`${ARTIFACTS}bench.json`, JSON.stringify({ first_page_js_gzip_bytes: gzip, first_page_js_raw_bytes: raw, first_contentful_paint_ms: fcp }, null, 2));
    assert.ok(scripts.size >= 1);
    assert.ok(gzip <= FIRST_PAGE_JS_LIMIT, `first page JS ${gzip} B gzip exceeds ${FIRST_PAGE_JS_LIMIT}`);
    assert.ok(![...scripts.keys()].some((url) => /barChart|leafletMap/.test(url)), 'charts and maps are not loaded on the first page');
    assert.ok(fcp > 0, 'first-contentful-paint recorded');

    await assertAccessible(page, 'home (ja)');
    await screenshot(page, 'home-ja');
    assertNoProblems(page);
    await page.context().close();
  });

  test('language switch shows English, sets lang, and persists', async () => {
    const page = await newPage(browser);
    await open(page, '/');
    await page.getByTestId('lang-switch').click();
    await page.getByRole('heading', { name: 'Five key factors that make a smart city last' }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.ok((await page.locator('nav[aria-label="Main navigation"]').innerText()).includes('Data explorer'));
    assert.ok((await page.locator('main').innerText()).includes('Coming soon'));
    await page.reload({ waitUntil: 'networkidle' });
    await page.getByRole('heading', { name: 'Five key factors that make a smart city last' }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'en', 'the choice survives a reload');
    await assertAccessible(page, 'home (en)');
    await screenshot(page, 'home-en');
    await page.getByTestId('lang-switch').click();
    await page.getByRole('heading', { name: 'スマートシティを持続させる5つの重要要素' }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'ja');
    assertNoProblems(page);
    await page.context().close();
  });

  test('Japanese era display switches dates to 和暦', async () => {
    const page = await newPage(browser);
    await open(page, '/');
    await page.getByLabel('和暦で表示').check();
    assert.match(await page.getByTestId('today').innerText(), /令和\d+年\d+月\d+日（令和\d+年度）|令和元年/);
    await page.context().close();
  });

  test('keyboard: skip link, visible focus, navigation by Enter', async () => {
    const page = await newPage(browser);
    await open(page, '/');
    await page.keyboard.press('Tab');
    const skip = page.locator('.skip-link');
    assert.equal(await skip.evaluate((el) => el === document.activeElement), true, 'the skip link comes first');
    const box = await skip.boundingBox();
    assert.ok(box && box.y >= 0, 'the skip link is visible when focused');
    const outline = await skip.evaluate((el) => getComputedStyle(el).outlineStyle);
    assert.notEqual(outline, 'none', 'focus is visible');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
    // Tab to the explorer link in the navigation and follow it.
    await page.locator('nav a', { hasText: 'データエクスプローラー' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'データエクスプローラー' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1', 'focus moves to the new page');
    assert.equal(new URL(page.url()).pathname, '/explorer');
    await page.context().close();
  });

  test('explorer lists types and entities, pages, and filters', async () => {
    const page = await newPage(browser);
    await open(page, '/explorer');
    const types = page.getByTestId('type-table');
    await types.waitFor();
    assert.ok((await types.innerText()).includes('バス停'));
    assert.ok((await types.innerText()).includes(String(BUS_STOPS)));
    await page.locator('[data-testid="bar-chart"] svg').waitFor();

    const summary = page.getByTestId('results-summary');
    await summary.waitFor();
    assert.equal(await summary.innerText(), `全${entityCount}件中 1〜20件を表示`);
    assert.equal(await page.locator('[data-testid="entity-table"] tbody tr').count(), 20);
    assert.equal(await page.getByTestId('pager-position').innerText(), `1 / ${Math.ceil(entityCount / 20)} ページ`);
    await assertAccessible(page, 'explorer');
    await screenshot(page, 'explorer');

    await page.getByRole('link', { name: '次のページ' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="pager-position"]')?.textContent?.startsWith('2 /'));
    assert.equal(await page.locator('[data-testid="entity-table"] tbody tr').count(), entityCount - 20);

    // By type.
    await page.getByLabel('エンティティ型', { exact: true }).selectOption('EvacuationShelter');
    await page.getByRole('button', { name: '検索' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="results-summary"]')?.textContent === '全2件中 1〜2件を表示');
    const shelters = await page.getByTestId('entity-table').innerText();
    assert.ok(shelters.includes('中央小学校体育館 避難所') && shelters.includes('東公民館 避難所'));
    assert.match(page.url(), /type=EvacuationShelter/);

    // By a q expression on top of the type.
    await page.getByLabel('条件式（NGSI-LD の q）').fill('capacity>100');
    await page.getByRole('button', { name: '検索' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="results-summary"]')?.textContent === '全1件中 1〜1件を表示');
    assert.ok((await page.getByTestId('entity-table').innerText()).includes('中央小学校体育館 避難所'));

    // Free text on the name, across types.
    await page.getByRole('button', { name: '条件をクリア' }).click();
    await page.waitForFunction((n) => document.querySelector('[data-testid="results-summary"]')?.textContent?.startsWith(`全${n}件`), entityCount);
    await page.getByLabel('名称に含む文字').fill('中央');
    await page.getByRole('button', { name: '検索' }).click();
    const centralCount = demoCity().filter((e) => e.name.value.includes('中央')).length;
    await page.waitForFunction((n) => document.querySelector('[data-testid="results-summary"]')?.textContent?.startsWith(`全${n}件`), centralCount);
    const central = await page.getByTestId('entity-table').innerText();
    for (const name of [SCHOOL_NAME, '中央小学校区', '中央公園', '中央通り']) assert.ok(central.includes(name), name);

    // By id pattern.
    await page.getByRole('button', { name: '条件をクリア' }).click();
    await page.getByLabel('IDのパターン（正規表現）').fill('urn:ngsi-ld:District:.*');
    await page.getByRole('button', { name: '検索' }).click();
    await page.waitForFunction((n) => document.querySelector('[data-testid="results-summary"]')?.textContent === `全${n}件中 1〜${n}件を表示`, DISTRICTS.length);

    // A bad q expression is a clear message, not a broken page.
    await page.getByLabel('条件式（NGSI-LD の q）').fill('capacity>>');
    await page.getByRole('button', { name: '検索' }).click();
    await page.locator('[role="alert"]').waitFor();
    assert.match(await page.locator('[role="alert"]').innerText(), /条件に誤りがあります/);
    await page.getByRole('button', { name: '条件をクリア' }).click();

    // The listed entities on a map.
    await page.getByLabel('エンティティ型', { exact: true }).selectOption('District');
    await page.getByRole('button', { name: '検索' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="results-summary"]')?.textContent?.startsWith('全3件'));
    await page.getByRole('button', { name: /地図で表示/ }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="geo-map"] path.leaflet-interactive').length >= 3);
    await assertAccessible(page, 'explorer (filtered, map)');
    await screenshot(page, 'explorer-filtered-map');
    assertNoProblems(page);
    await page.context().close();
  });

  test('explorer exports CSV that Excel opens: BOM, CRLF, quoted, with definitions', async () => {
    const page = await newPage(browser);
    await open(page, '/explorer?type=EvacuationShelter');
    await page.getByTestId('results-summary').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /CSVで保存（最大/ }).click()]);
    const csv = readFileSync(await download.path());
    assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
    const text = csv.subarray(3).toString('utf8');
    const lines = text.split('\r\n');
    assert.equal(lines.at(-1), '', 'ends with CRLF');
    assert.ok(!/[^\r]\n/.test(text), 'every line break is CRLF');
    assert.match(lines[0], /^"ID","型","型の表示名","名称","経度","緯度","位置（GeoJSON）"$/);
    assert.match(lines[1], /^"定義: エンティティの識別子（URN）",/);
    assert.equal(lines.length, 2 + 2 + 1);
    assert.ok(lines.some((l) => l.startsWith('"urn:ngsi-ld:EvacuationShelter:chuo-gym","EvacuationShelter","避難所","中央小学校体育館 避難所","139.946","35.886",')));
    assert.match(download.suggestedFilename(), /^エンティティ一覧_\d{8}-\d{4}\.csv$/);
    await page.context().close();
  });

  test('entity detail shows every attribute, a map, and works as a deep link', async () => {
    const page = await newPage(browser);
    await open(page, '/explorer?text=%E3%83%87%E3%83%A2%E5%B8%82%E7%AB%8B');
    await page.getByRole('link', { name: SCHOOL_NAME }).click();
    await page.getByTestId('entity-id').waitFor();
    assert.equal(await page.getByTestId('entity-name').innerText(), SCHOOL_NAME);
    assert.equal(await page.getByTestId('entity-id').innerText(), SCHOOL_ID);
    const attributes = await page.getByTestId('attribute-table').innerText();
    for (const name of ['address', 'capacity', 'location', 'name', 'refDistrict', '480', 'C62', 'デモ市']) assert.ok(attributes.includes(name), name);
    assert.ok(await page.getByRole('link', { name: 'urn:ngsi-ld:District:chuo' }).isVisible(), 'relationships link to their entity');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="geo-map"] path.leaflet-interactive').length >= 1);
    await assertAccessible(page, 'entity detail');
    await screenshot(page, 'entity');

    // Follow the relationship to the district, then load a page directly.
    await page.getByRole('link', { name: 'urn:ngsi-ld:District:chuo' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="entity-name"]')?.textContent === '中央小学校区');
    const observed = await page.getByTestId('attribute-table').innerText();
    assert.ok(observed.includes('2026/04/01 09:00'), 'observedAt shows in Japan time');

    await open(page, `/explorer/entities/${encodeURIComponent('urn:ngsi-ld:WaterLevelSensor:demo-river-1')}`);
    await page.getByTestId('entity-id').waitFor();
    assert.ok((await page.getByTestId('attribute-table').innerText()).includes('1.23'));
    assert.equal(await page.locator('[data-testid="geo-map"]').count(), 0, 'no map without a location');
    await open(page, `/explorer/entities/${encodeURIComponent('urn:ngsi-ld:Nothing:1')}`);
    await page.locator('[role="alert"]').waitFor();
    assert.equal(await page.locator('[role="alert"]').innerText(), '見つかりませんでした。');
    await page.context().close();
  });

  test('city map draws districts, hazard zone, road and facilities', async () => {
    const page = await newPage(browser);
    await open(page, '/map');
    const map = page.getByTestId('geo-map');
    await map.waitFor();
    // 3 districts + 1 hazard zone + 1 road + 28 facility markers, all SVG paths.
    const facilities = BUS_STOPS + 5;
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="geo-map"] .leaflet-overlay-pane path.leaflet-interactive').length >= n,
      DISTRICTS.length + 2 + facilities,
    );
    for (const d of DISTRICTS) assert.ok(await page.locator('.map-label', { hasText: d.name }).isVisible(), d.name);
    const list = await page.getByTestId('feature-table').innerText();
    for (const name of [SCHOOL_NAME, '中央小学校体育館 避難所', '浸水想定区域（デモ川）', '中央通り']) assert.ok(list.includes(name), name);
    assert.ok(!list.includes('デモ川 水位計1'), 'entities without a location are not on the map');
    await assertAccessible(page, 'city map');
    await screenshot(page, 'map');

    // Hiding a layer removes its shapes.
    const before = await page.locator('[data-testid="geo-map"] path.leaflet-interactive').count();
    await page.getByLabel(/バス停（施設）/).uncheck();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="geo-map"] path.leaflet-interactive').length === n, before - BUS_STOPS);

    // A district's popup links to its entity.
    await page.locator('.map-label', { hasText: '西小学校区' }).click({ force: true });
    await page.locator('.leaflet-popup a', { hasText: '詳細を見る' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="entity-name"]')?.textContent === '西小学校区');
    assert.equal(new URL(page.url()).pathname, `/explorer/entities/${encodeURIComponent('urn:ngsi-ld:District:nishi')}`);
    assertNoProblems(page);
    await page.context().close();
  });

  test('planned modules say 準備中 and unknown pages say so', async () => {
    const page = await newPage(browser);
    await open(page, '/portal');
    assert.equal(await page.locator('main h1').innerText(), '住民ポータル');
    assert.ok((await page.locator('main').innerText()).includes('準備中'));
    assert.equal(await page.locator('nav [aria-disabled="true"]').count(), 5);
    await assertAccessible(page, 'coming soon');
    await open(page, '/no/such/page');
    assert.equal(await page.locator('main h1').innerText(), 'ページが見つかりません');
    await assertAccessible(page, 'not found');
    await page.context().close();
  });

  test('works at a phone’s width (360 px)', async () => {
    const page = await newPage(browser, { width: 360, height: 780 });
    for (const [path, name] of [
      ['/', 'home-360'],
      ['/explorer', 'explorer-360'],
      ['/map', 'map-360'],
      [`/explorer/entities/${encodeURIComponent(SCHOOL_ID)}`, 'entity-360'],
    ]) {
      await open(page, path);
      await page.waitForLoadState('networkidle');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px at 360px`);
      await assertAccessible(page, `${path} at 360px`);
      await screenshot(page, name);
    }
    assertNoProblems(page);
    await page.context().close();
  });
});
