// End-to-end tests of the web app on the generated demo city: `machi demo`
// generates デモ市 and serves web/dist and the NGSI-LD API, Debian's
// Chromium drives the pages, axe-core checks each one. What the pages must
// show is asked of the API, so the tests hold for any --residents.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { ARTIFACTS, assertAccessible, launch, newPage as openContext, screenshot } from './lib/browser.mjs';
import { containsQ, DemoCity, DISTRICT_NAMES, MARKER_ID, MARKER_NAME } from './lib/demo-city.mjs';
import { ACCOUNTS, apiHeaders, signIn } from './lib/session.mjs';

const FACTORS_JA = ['社会的受容', 'リビングラボ', '人財育成', 'QoL評価', 'エコシステム'];
const FIRST_PAGE_JS_LIMIT = 300 * 1024;
const SCHOOL_NAME = 'デモ市立中央小学校';
const SHELTER_NAME = `${SCHOOL_NAME} 体育館`;

let city;
let base;
let browser;
// Facts about the generated city, from its API.
let total;
let types;
let school;
let shelters;
let districts;

const ja = (n) => new Intl.NumberFormat('ja-JP').format(n);
const newPage = (options) => openContext(browser, city, options);

before(async () => {
  city = await new DemoCity().start();
  base = city.base;
  total = await city.count();
  types = await city.types();
  school = await city.byName('School', SCHOOL_NAME);
  shelters = (await city.query({ type: 'EvacuationShelter' })).entities;
  districts = (await city.query({ type: 'District' })).entities;
  assert.deepEqual(districts.map((d) => d.name).sort(), [...DISTRICT_NAMES].sort(), 'the 12 小学校区 of デモ市');
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await city?.stop();
  city?.cleanup();
});

async function open(page, path) {
  await page.goto(base + path, { waitUntil: 'networkidle' });
  await page.locator('main h1').first().waitFor();
}

function assertNoProblems(page) {
  assert.deepEqual(page.problems, [], `browser errors:\n${page.problems.join('\n')}`);
}

const summaryIs = (page, text) =>
  page.waitForFunction((t) => document.querySelector('[data-testid="results-summary"]')?.textContent === t, text);

// "YYYY/MM/DD HH:mm" in Japan time, as the entity page shows a timestamp.
function tokyo(iso) {
  const d = new Date(Date.parse(iso) + 9 * 3600 * 1000);
  const p2 = (n) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}`;
}

describe('web app on the demo city', () => {
  test('serves the app for client-side routes', async () => {
    for (const path of ['/', '/explorer', `/explorer/entities/${encodeURIComponent(school.id)}`, '/map', '/portal', '/login', '/me/access-log']) {
      const r = await fetch(base + path);
      assert.equal(r.status, 200, path);
      assert.match(r.headers.get('content-type') ?? '', /text\/html/, path);
    }
    const api = await city.get('/entities/urn:ngsi-ld:Nothing:1');
    assert.equal(api.status, 404, 'API paths never fall back to index.html');
    assert.match(api.headers.get('content-type') ?? '', /json/);
    const anonymous = await fetch(`${base}/ngsi-ld/v1/types`);
    assert.equal(anonymous.status, 401, 'the API needs a token');
  });

  test('home loads in Japanese with the five factors and the city’s live figures, fast and small', async () => {
    const page = await newPage();
    const scripts = new Map();
    page.on('response', async (response) => {
      if (response.request().resourceType() === 'script') scripts.set(response.url(), await response.body().catch(() => Buffer.alloc(0)));
    });
    await open(page, '/');
    assert.equal(await page.getAttribute('html', 'lang'), 'ja');
    const text = await page.locator('main').innerText();
    for (const factor of FACTORS_JA) assert.ok(text.includes(factor), `home mentions ${factor}`);
    await page.getByTestId('hub-total').waitFor();
    assert.equal(await page.getByTestId('hub-total').innerText(), ja(total));
    assert.equal(await page.getByTestId('hub-types').innerText(), ja(types.length));
    // The largest types of the city, with their counts.
    const counts = await Promise.all(types.map(async (type) => ({ type, count: await city.count({ type }) })));
    counts.sort((a, b) => b.count - a.count || a.type.localeCompare(b.type));
    const listed = await page.locator('.type-counts li').allInnerTexts();
    assert.equal(listed.length, 6);
    assert.ok(listed[0].includes(`${ja(counts[0].count)}件`), `${listed[0]} shows ${counts[0].type}`);
    assert.equal(await page.locator('.factor--planned').count(), 4, 'four factors are honestly coming soon');
    assert.ok((await page.locator('.factor--planned .badge').first().innerText()).includes('準備中'));
    assert.match(await page.getByTestId('today').innerText(), /年度/);
    assert.match(await page.title(), /ホーム/);

    // The JavaScript the first page loads, and when it painted (bench/web_fcp.mjs measures these for `make bench`).
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
    const page = await newPage();
    await open(page, '/');
    await page.getByTestId('lang-switch').click();
    await page.getByRole('heading', { name: 'Five key factors that make a smart city last' }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.ok((await page.locator('nav[aria-label="Main navigation"]').innerText()).includes('Data explorer'));
    assert.ok((await page.locator('main').innerText()).includes('Coming soon'));
    await page.getByTestId('hub-total').waitFor();
    assert.equal(await page.getByTestId('hub-total').innerText(), total.toLocaleString('en-US'));
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
    const page = await newPage();
    await open(page, '/');
    await page.getByLabel('和暦で表示').check();
    assert.match(await page.getByTestId('today').innerText(), /令和\d+年\d+月\d+日（令和\d+年度）|令和元年/);
    await page.context().close();
  });

  test('keyboard: skip link, visible focus, navigation by Enter', async () => {
    const page = await newPage();
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

  test('explorer lists the city’s types and entities, pages, and filters', async () => {
    const page = await newPage();
    await open(page, '/explorer');
    const types = page.getByTestId('type-table');
    await types.waitFor();
    const row = (label) => page.locator('[data-testid="type-table"] tbody tr', { hasText: label });
    assert.equal(await row('小学校区 District').locator('td').innerText(), '12');
    assert.equal(await row('避難所 EvacuationShelter').locator('td').innerText(), ja(shelters.length));
    assert.equal(await row('ParkingSpot').locator('td').innerText(), ja(await city.count({ type: 'ParkingSpot' })));
    await page.locator('[data-testid="bar-chart"] svg').waitFor();

    const summary = page.getByTestId('results-summary');
    await summary.waitFor();
    assert.equal(await summary.innerText(), `全${ja(total)}件中 1〜20件を表示`);
    assert.equal(await page.locator('[data-testid="entity-table"] tbody tr').count(), 20);
    assert.equal(await page.getByTestId('pager-position').innerText(), `1 / ${ja(Math.ceil(total / 20))} ページ`);
    await assertAccessible(page, 'explorer');
    await screenshot(page, 'explorer');

    await page.getByRole('link', { name: '次のページ' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="pager-position"]')?.textContent?.startsWith('2 /'));
    await summaryIs(page, `全${ja(total)}件中 21〜40件を表示`);
    assert.equal(await page.locator('[data-testid="entity-table"] tbody tr').count(), 20);

    // By type: the city's parking sensors, over several pages.
    const parking = await city.query({ type: 'ParkingSpot', limit: 20 });
    await page.getByLabel('エンティティ型', { exact: true }).selectOption('ParkingSpot');
    await page.getByRole('button', { name: '検索' }).click();
    await summaryIs(page, `全${ja(parking.total)}件中 1〜20件を表示`);
    assert.equal(await page.getByTestId('pager-position').innerText(), `1 / ${ja(Math.ceil(parking.total / 20))} ページ`);
    const spots = await page.getByTestId('entity-table').innerText();
    for (const e of parking.entities) assert.ok(spots.includes(e.id) && spots.includes(e.name), e.name);
    assert.match(page.url(), /type=ParkingSpot/);

    // The shelters: Japanese names, the school gymnasiums among them.
    await page.getByLabel('エンティティ型', { exact: true }).selectOption('EvacuationShelter');
    await page.getByRole('button', { name: '検索' }).click();
    await summaryIs(page, `全${ja(shelters.length)}件中 1〜20件を表示`);
    const listed = await page.getByTestId('entity-table').innerText();
    assert.ok(listed.includes(SHELTER_NAME), SHELTER_NAME);
    for (const e of (await city.query({ type: 'EvacuationShelter', limit: 20 })).entities) assert.ok(listed.includes(e.name), e.name);

    // By a q expression on top of the type.
    const big = await city.query({ type: 'EvacuationShelter', q: 'capacity>=500' });
    assert.ok(big.total > 0 && big.total < shelters.length);
    await page.getByLabel('条件式（NGSI-LD の q）').fill('capacity>=500');
    await page.getByRole('button', { name: '検索' }).click();
    await summaryIs(page, `全${ja(big.total)}件中 1〜${ja(big.total)}件を表示`);
    const bigListed = await page.getByTestId('entity-table').innerText();
    for (const e of big.entities) assert.ok(bigListed.includes(e.name), e.name);

    // Free text on the name, across types.
    await page.getByRole('button', { name: '条件をクリア' }).click();
    await page.waitForFunction((t) => document.querySelector('[data-testid="results-summary"]')?.textContent?.startsWith(t), `全${ja(total)}件`);
    await page.getByLabel('名称に含む文字').fill('中央');
    await page.getByRole('button', { name: '検索' }).click();
    const central = await city.query({ q: containsQ('name', '中央'), limit: 20 });
    assert.ok(central.total > 5);
    await page.waitForFunction((t) => document.querySelector('[data-testid="results-summary"]')?.textContent?.startsWith(t), `全${ja(central.total)}件`);
    const centralListed = await page.getByTestId('entity-table').innerText();
    for (const e of central.entities) assert.ok(centralListed.includes(e.name), e.name);

    // By id pattern: the 12 school districts.
    await page.getByRole('button', { name: '条件をクリア' }).click();
    await page.getByLabel('IDのパターン（正規表現）').fill('urn:ngsi-ld:District:.*');
    await page.getByRole('button', { name: '検索' }).click();
    await summaryIs(page, '全12件中 1〜12件を表示');
    const districtList = await page.getByTestId('entity-table').innerText();
    for (const name of DISTRICT_NAMES) assert.ok(districtList.includes(name), name);

    // A bad q expression is a clear message, not a broken page.
    await page.getByLabel('条件式（NGSI-LD の q）').fill('capacity>>');
    await page.getByRole('button', { name: '検索' }).click();
    await page.locator('[role="alert"]').waitFor();
    assert.match(await page.locator('[role="alert"]').innerText(), /条件に誤りがあります/);
    await page.getByRole('button', { name: '条件をクリア' }).click();

    // The listed districts on a map.
    await page.getByLabel('エンティティ型', { exact: true }).selectOption('District');
    await page.getByRole('button', { name: '検索' }).click();
    await summaryIs(page, '全12件中 1〜12件を表示');
    await page.getByRole('button', { name: /地図で表示/ }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="geo-map"] path.leaflet-interactive').length === 12);
    await assertAccessible(page, 'explorer (filtered, map)');
    await screenshot(page, 'explorer-filtered-map');
    assertNoProblems(page);
    await page.context().close();
  });

  test('explorer exports CSV that Excel opens: BOM, CRLF, quoted, with definitions', async () => {
    const page = await newPage();
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
    assert.equal(lines.length, 2 + shelters.length + 1);
    const gym = shelters.find((s) => s.name === SHELTER_NAME);
    const [lon, lat] = gym.location.coordinates;
    const start = `"${gym.id}","EvacuationShelter","避難所","${SHELTER_NAME}","${lon}","${lat}",`;
    assert.ok(lines.some((l) => l.startsWith(start)), start);
    assert.match(download.suggestedFilename(), /^エンティティ一覧_\d{8}-\d{4}\.csv$/);
    await page.context().close();
  });

  test('entity detail shows every attribute in Japanese, a map, and works as a deep link', async () => {
    const page = await newPage();
    await open(page, `/explorer?text=${encodeURIComponent(SCHOOL_NAME)}`);
    await page.getByRole('link', { name: SCHOOL_NAME, exact: true }).click();
    await page.getByTestId('entity-id').waitFor();
    assert.equal(await page.getByTestId('entity-name').innerText(), SCHOOL_NAME);
    assert.equal(await page.getByTestId('entity-id').innerText(), school.id);
    const attributes = await page.getByTestId('attribute-table').innerText();
    for (const name of ['address', 'location', 'name', 'refDistrict', 'schoolType', 'elementary', 'デモ市', '千葉県', school.address.streetAddress]) {
      assert.ok(attributes.includes(name), name);
    }
    assert.ok(await page.getByRole('link', { name: school.refDistrict }).isVisible(), 'relationships link to their entity');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="geo-map"] path.leaflet-interactive').length >= 1);
    await assertAccessible(page, 'entity detail');
    await screenshot(page, 'entity');

    // Follow the relationship to the school's district.
    await page.getByRole('link', { name: school.refDistrict }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="entity-name"]')?.textContent === '中央小学校区');
    const district = await page.getByTestId('attribute-table').innerText();
    assert.ok(district.includes('小学校区') && district.includes('population'));

    // A sensor: its latest reading, observedAt in Japan time.
    const weather = (await city.query({ type: 'WeatherObserved', q: 'temperature', limit: 1 })).entities[0];
    const full = (await city.getOk(`/entities/${encodeURIComponent(weather.id)}`)).json;
    await open(page, `/explorer/entities/${encodeURIComponent(weather.id)}`);
    await page.getByTestId('entity-id').waitFor();
    assert.equal(await page.getByTestId('entity-name').innerText(), weather.name);
    const readings = await page.getByTestId('attribute-table').innerText();
    assert.ok(readings.includes('temperature') && readings.includes('CEL'));
    assert.ok(readings.includes(tokyo(full.temperature.observedAt)), `observedAt ${full.temperature.observedAt} shows in Japan time`);

    // An entity without a location: the demo city's own description.
    await open(page, `/explorer/entities/${encodeURIComponent(MARKER_ID)}`);
    await page.getByTestId('entity-id').waitFor();
    assert.equal(await page.getByTestId('entity-name').innerText(), MARKER_NAME);
    assert.ok((await page.getByTestId('attribute-table').innerText()).includes('historyPoints'));
    assert.equal(await page.locator('[data-testid="geo-map"]').count(), 0, 'no map without a location');
    await open(page, `/explorer/entities/${encodeURIComponent('urn:ngsi-ld:Nothing:1')}`);
    await page.locator('[role="alert"]').waitFor();
    assert.equal(await page.locator('[role="alert"]').innerText(), '見つかりませんでした。');
    await page.context().close();
  });

  test('city map draws the 12 districts, hazard zones, roads and facilities', async () => {
    // Every entity with a location is one shape (polygon, line or circle marker).
    let located = 0;
    for (const type of types) {
      located += (await city.all({ type })).filter((e) => e.location).length;
    }
    const page = await newPage();
    await open(page, '/map');
    await page.getByTestId('geo-map').waitFor();
    const shapes = () => page.locator('[data-testid="geo-map"] .leaflet-overlay-pane path.leaflet-interactive').count();
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="geo-map"] .leaflet-overlay-pane path.leaflet-interactive').length === n,
      located,
    );
    for (const name of DISTRICT_NAMES) assert.ok(await page.locator('.map-label', { hasText: name }).isVisible(), name);
    const hazard = (await city.query({ type: 'HazardZone', limit: 1 })).entities[0];
    const road = (await city.query({ type: 'Road', limit: 1 })).entities[0];
    const list = await page.getByTestId('feature-table').innerText();
    for (const name of [SCHOOL_NAME, SHELTER_NAME, hazard.name, road.name, ...DISTRICT_NAMES]) assert.ok(list.includes(name), name);
    assert.ok(!list.includes(MARKER_NAME), 'entities without a location are not on the map');
    await assertAccessible(page, 'city map');
    await screenshot(page, 'map', { fullPage: false });

    // The districts layer is exactly the 12 district polygons: hiding it removes 12 shapes.
    const all = await shapes();
    await page.getByLabel('小学校区（地区）').uncheck();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="geo-map"] path.leaflet-interactive').length === n, all - 12);
    assert.equal(await page.locator('.map-label', { hasText: '中央小学校区' }).count(), 0);
    await page.getByLabel('小学校区（地区）').check();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="geo-map"] path.leaflet-interactive').length === n, all);
    // Hiding the bus stops removes their markers.
    const stops = await city.count({ type: 'BusStop' });
    await page.getByLabel('バス停（施設）').uncheck();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="geo-map"] path.leaflet-interactive').length === n, all - stops);

    // A district's popup links to its entity (with only the districts shown,
    // nothing lies over them: the town areas would).
    const west = districts.find((d) => d.name === '西小学校区');
    const boxes = page.locator('.layer-controls input[type="checkbox"]');
    for (let i = 0; i < (await boxes.count()); i++) await boxes.nth(i).uncheck();
    await page.getByLabel('小学校区（地区）').check();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="geo-map"] path.leaflet-interactive').length === 12);
    await page.locator('.map-label', { hasText: '西小学校区' }).click({ force: true });
    await page.locator('.leaflet-popup a', { hasText: '詳細を見る' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="entity-name"]')?.textContent === '西小学校区');
    assert.equal(new URL(page.url()).pathname, `/explorer/entities/${encodeURIComponent(west.id)}`);
    assertNoProblems(page);
    await page.context().close();
  });

  test('planned modules say 準備中 and unknown pages say so', async () => {
    const page = await newPage();
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
    const page = await newPage({ width: 360, height: 780 });
    for (const [path, name] of [
      ['/', 'home-360'],
      ['/explorer', 'explorer-360'],
      ['/map', 'map-360'],
      [`/explorer/entities/${encodeURIComponent(school.id)}`, 'entity-360'],
    ]) {
      await open(page, path);
      await page.waitForLoadState('networkidle');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px at 360px`);
      await assertAccessible(page, `${path} at 360px`);
      await screenshot(page, name, { fullPage: path !== '/map' });
    }
    assertNoProblems(page);
    await page.context().close();
  });
});

// ---------------------------------------------------------------- sign-in

const LOGIN_ERROR = 'ユーザー名またはパスワードが正しくありません。';

// Signs in through the sign-in page (which must be open).
async function signInWithForm(page, { username, password }) {
  await page.getByLabel('ユーザー名').fill(username);
  await page.getByLabel('パスワード').fill(password);
  await page.getByRole('button', { name: 'ログイン', exact: true }).click();
}

async function me(token) {
  const r = await fetch(`${base}/machi/v1/auth/me`, { headers: apiHeaders(null, token) });
  return { status: r.status, json: await r.json().catch(() => undefined) };
}

// The resident's entries as GET /ledger/mine lists them, newest first.
async function residentEntries(token) {
  const out = [];
  for (let after; ;) {
    const r = await fetch(`${base}/machi/v1/ledger/mine?limit=1000${after === undefined ? '' : `&after=${after}`}`, { headers: apiHeaders(null, token) });
    assert.equal(r.status, 200);
    const page = await r.json();
    out.push(...page.entries);
    if (page.next === undefined) return { subject: page.subject, entries: out.reverse() };
    after = page.next;
  }
}

// How an access entry names a data subject (src/trust/read_access.h subject_tag):
// the first 16 bytes of SHA-256(subjectKey || pseudonym), hex.
const subjectTag = (keyHex, subject) =>
  createHash('sha256').update(Buffer.from(keyHex, 'hex')).update(subject, 'utf8').digest().subarray(0, 16).toString('hex');

// GET /machi/v1/purposes (public): label.ja by id.
async function purposeLabels() {
  const r = await fetch(`${base}/machi/v1/purposes`);
  assert.equal(r.status, 200);
  return new Map((await r.json()).map((p) => [p.id, p.label?.ja ?? p.shortName]));
}

const shownIndices = (page) => page.locator('[data-testid="ledger-entry"]').evaluateAll((items) => items.map((li) => Number(li.dataset.index)));

describe('sign-in', () => {
  test('a signed-out visitor is asked to sign in, and comes back after', async () => {
    const page = await newPage({ session: null });
    // Home is public; its live figures need a session.
    await open(page, '/');
    await page.getByTestId('hub-sign-in').waitFor();
    assert.ok(await page.getByTestId('header-sign-in').isVisible());
    assert.equal(await page.getByTestId('hub-total').count(), 0);
    assert.ok(!(await page.locator('nav[aria-label="メインナビゲーション"]').innerText()).includes('私のデータの利用履歴'));

    // A page that reads data says to sign in rather than failing.
    await open(page, '/explorer?type=District');
    assert.equal(await page.locator('main h1').innerText(), 'データエクスプローラー');
    assert.match(await page.getByTestId('sign-in-required').innerText(), /ログインしてください/);
    assert.equal(await page.locator('[role="alert"]').count(), 0, 'no error');
    await assertAccessible(page, 'explorer (signed out)');
    await page.getByTestId('sign-in-link').click();
    await page.getByTestId('login-form').waitFor();
    const url = new URL(page.url());
    assert.equal(url.pathname, '/login');
    assert.equal(url.searchParams.get('next'), '/explorer?type=District');
    assert.match(await page.title(), /ログイン/);
    await assertAccessible(page, 'sign-in');
    await screenshot(page, 'login');

    // Through the sign-in page and back to the page asked for.
    await signInWithForm(page, ACCOUNTS.city_staff);
    await page.waitForURL((u) => u.pathname === '/explorer');
    assert.equal(new URL(page.url()).search, '?type=District');
    await summaryIs(page, '全12件中 1〜12件を表示');
    const user = await me(await page.evaluate(() => JSON.parse(sessionStorage.getItem('machi.session')).token));
    assert.equal(user.status, 200);
    assert.equal(await page.getByTestId('user-name').innerText(), `${user.json.displayName} さん`);
    assert.ok(await page.getByTestId('sign-out').isVisible());
    // The access log is for residents: not in city staff's navigation, and said so.
    assert.ok(!(await page.locator('nav[aria-label="メインナビゲーション"]').innerText()).includes('私のデータの利用履歴'));
    await open(page, '/me/access-log');
    assert.match(await page.getByTestId('role-required').innerText(), /住民のアカウント/);
    assertNoProblems(page);
    await page.context().close();
  });

  test('an expired or revoked token sends the reader to sign in again', async () => {
    const page = await newPage({ session: 'not-a-valid-token' });
    await page.goto(`${base}/map`);
    await page.waitForURL((u) => u.pathname === '/login');
    assert.equal(new URL(page.url()).searchParams.get('next'), '/map');
    await page.getByTestId('login-form').waitFor();
    assert.match(await page.getByTestId('login-notice').innerText(), /もう一度ログインしてください/);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('machi.session')), null, 'the token is gone');
    await page.context().close();
  });

  test('a wrong password is refused with an announced error', async () => {
    const page = await newPage({ session: null });
    await open(page, '/login');
    // Nothing typed.
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="login-error"]')?.textContent === 'ユーザー名とパスワードを入力してください。');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'login-username', 'focus goes to the empty field');
    // A wrong password (of an account no other test uses: failures count towards a lock-out).
    await signInWithForm(page, { username: ACCOUNTS.auditor.username, password: 'not-the-password' });
    await page.waitForFunction((text) => document.querySelector('[data-testid="login-error"]')?.textContent === text, LOGIN_ERROR);
    const alert = page.getByRole('alert');
    assert.equal(await alert.innerText(), LOGIN_ERROR);
    assert.equal(await page.getByLabel('パスワード').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('パスワード').inputValue(), '', 'the password field is emptied');
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('machi.session')), null);
    await assertAccessible(page, 'sign-in (error)');
    await screenshot(page, 'login-error');
    // The message follows the language.
    await page.getByTestId('lang-switch').click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    assert.equal(await page.getByTestId('login-error').innerText(), 'The user name or password is not correct.');
    assert.ok(await page.getByLabel('User name').isVisible());
    await page.getByTestId('lang-switch').click();
    await page.context().close();
  });
});

describe('私のデータの利用履歴 (the resident’s access log)', () => {
  test('the resident signs in, reads the log newest first, and verifies every entry', async () => {
    const page = await newPage({ session: null });
    await open(page, '/me/access-log');
    assert.match(await page.getByTestId('sign-in-required').innerText(), /ログインしてください/);
    await page.getByTestId('sign-in-link').click();
    await page.getByTestId('login-form').waitFor();
    await signInWithForm(page, ACCOUNTS.resident);
    await page.waitForURL((u) => u.pathname === '/me/access-log');
    await page.locator('[data-testid="ledger-entry"]').first().waitFor();
    assert.equal(await page.locator('main h1').innerText(), '私のデータの利用履歴');
    assert.equal(await page.getByTestId('user-name').innerText(), '山田 花子 さん');
    const navLink = page.locator('nav a', { hasText: '私のデータの利用履歴' });
    assert.equal(await navLink.getAttribute('aria-current'), 'page');

    // Newest first, exactly the resident's entries as the API lists them.
    const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('machi.session')).token);
    const { subject, entries } = await residentEntries(token);
    // Two consents and the three reads that released or withheld their data
    // (the read under the suspended grant, refused as a whole, names no one).
    assert.ok(entries.length >= 5, `the demo resident has consents and reads in the log (${entries.length})`);
    const shown = await shownIndices(page);
    assert.deepEqual(shown, entries.slice(0, 20).map((e) => e.index));
    assert.equal(await page.getByTestId('access-log-count').innerText(), `新しい順に${shown.length}件を表示しています。`);
    // Each card says what its entry says about this resident, who read the
    // data, for whom and why. Access entries name subjects only by tags keyed
    // per entry: the resident's pseudonym is not in them.
    const labels = await purposeLabels();
    let accesses = 0;
    for (const doc of entries.slice(0, shown.length)) {
      const card = page.locator(`[data-testid="ledger-entry"][data-index="${doc.index}"]`);
      const entry = JSON.parse(doc.entry);
      assert.ok((await card.locator('time').innerText()) === tokyo(entry.time), `entry ${doc.index} at ${entry.time}`);
      if (entry.type !== 'access') continue;
      accesses++;
      assert.match(entry.subjectKey ?? '', /^[0-9a-f]{32}$/, `entry ${doc.index} names its subjects by tags (is build/machi current?)`);
      assert.ok(!doc.entry.includes(subject), `entry ${doc.index} does not carry the pseudonym`);
      const tag = subjectTag(entry.subjectKey, subject);
      const released = entry.released.includes(tag);
      const withheld = entry.withheld.find((w) => w.subject === tag);
      assert.ok(released || withheld, `entry ${doc.index} lists the resident`);
      const outcome = await card.getByTestId('entry-outcome').innerText();
      assert.match(outcome, released ? /^\W*許可: / : /^\W*拒否: /);
      if (withheld) assert.match(outcome, /理由: /, `entry ${doc.index} says why (${withheld.reason})`);
      assert.equal(await card.getByTestId('entry-overridden').count(), (entry.objectionOverridden ?? []).includes(tag) ? 1 : 0);
      assert.ok((await card.getByTestId('entry-action').innerText()).includes(entry.action));
      if (entry.principal.name) assert.ok((await card.getByTestId('entry-accessor').innerText()).includes(entry.principal.name), `entry ${doc.index}: who`);
      if (entry.recipient) assert.equal(await card.getByTestId('entry-recipient').innerText(), entry.recipient);
      if (entry.grantName) assert.ok((await card.getByTestId('entry-grant').innerText()).includes(entry.grantName));
      if (entry.purpose && labels.has(entry.purpose)) assert.equal(await card.getByTestId('entry-purpose').innerText(), labels.get(entry.purpose));
    }
    assert.ok(accesses > 0, 'the demo reads of the resident’s data are shown');
    await assertAccessible(page, 'access log');

    // Verify all shown: every entry ✓, checked in the browser.
    await page.getByTestId('verify-all').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="verify-summary"]')?.textContent?.includes('すべての記録を検証できました'), null, { timeout: 60000 });
    const states = await page.locator('[data-testid="verify-status"]').evaluateAll((items) => items.map((p) => p.dataset.state));
    assert.deepEqual(states, shown.map(() => 'verified'));
    assert.ok((await page.locator('[data-testid="verify-status"]').first().innerText()).startsWith('✓'));
    assert.match(await page.getByTestId('verify-head').innerText(), /署名鍵の指紋 [0-9a-f]{4} [0-9a-f]{4} [0-9a-f]{4} [0-9a-f]{4}/);
    await assertAccessible(page, 'access log (verified)');
    await screenshot(page, 'access-log');

    // Older entries, and one verified on its own.
    if (entries.length > shown.length) {
      await page.getByTestId('show-older').click();
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="ledger-entry"]').length === n, Math.min(entries.length, 40));
      assert.deepEqual(await shownIndices(page), entries.slice(0, 40).map((e) => e.index));
      const older = page.locator('[data-testid="ledger-entry"]').nth(shown.length);
      assert.equal(await older.locator('h3').evaluate((h) => h === document.activeElement), true, 'focus moves to the first older entry');
      assert.equal(await older.getByTestId('verify-status').getAttribute('data-state'), 'idle');
      await older.getByTestId('verify-entry').click();
      await older.locator('[data-testid="verify-status"][data-state="verified"]').waitFor();
    }
    // The oldest entries are the resident's own consents (seeded first).
    const consent = entries.findLast((e) => JSON.parse(e.entry).type === 'consent.given');
    assert.ok(consent, 'a consent given');

    // At a phone's width.
    await page.setViewportSize({ width: 360, height: 780 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the access log scrolls sideways by ${overflow}px at 360px`);
    await assertAccessible(page, 'access log at 360px');
    await screenshot(page, 'access-log-360');

    // Sign out: the token is revoked on the server, the page no longer shows data.
    await page.getByTestId('sign-out').click();
    await page.waitForURL((u) => u.pathname === '/login');
    assert.equal(await page.getByTestId('login-notice').innerText(), 'ログアウトしました。');
    assert.equal((await me(token)).status, 401, 'the token was revoked');
    await open(page, '/me/access-log');
    await page.getByTestId('sign-in-required').waitFor();
    assert.equal(await page.locator('[data-testid="ledger-entry"]').count(), 0);
    assertNoProblems(page);
    await page.context().close();
  });

  test('a refusal, an objection overridden and an unusable grant are explained to the resident', async () => {
    const token = await signIn(city, ACCOUNTS.resident);
    const { json: user } = await me(token);
    const subject = user.subject;
    assert.ok(subject, 'the demo resident has a data subject');
    // Entries the demo does not make, in the server's format, served in
    // place of the resident's own (they are not in the ledger: not verified here).
    const key = (n) => String(n).repeat(32);
    const access = (n, fields) => ({
      type: 'access',
      time: `2026-12-0${n}T01:00:00.000Z`,
      action: 'GET /ngsi-ld/v1/entities?type=Resident&limit=100',
      subjectKey: key(n),
      released: [],
      withheld: [],
      ...fields,
    });
    const other = subjectTag(key(9), 'someone-else');
    const entries = [
      access(7, {
        principal: { kind: 'client', client: 'cli-1', name: 'デマンド交通 需要予測アプリ', roles: ['consumer'] },
        requestedGrant: 'grant-pilot',
        purpose: 'https://w3id.org/dpv#ImproveTransportMobility',
        decision: 'deny',
        withheld: [{ subject: subjectTag(key(7), subject), reason: 'grant_suspended' }],
        reasons: { grant_suspended: 1 },
      }),
      access(8, {
        principal: { kind: 'account', account: 'acc-staff', name: '佐藤 一郎 (デジタル推進課)', roles: ['city_staff'] },
        grant: 'grant-statutory',
        grantName: '災害時の避難支援',
        recipient: 'デモ市',
        legalBasis: 'statutory',
        purpose: 'https://machi.city/ns#EvacuationSupport',
        decision: 'allow',
        released: [subjectTag(key(8), subject)],
        objectionOverridden: [subjectTag(key(8), subject)],
        bases: { statutory: 1 },
      }),
      access(9, {
        principal: { kind: 'client', client: 'cli-1', name: 'デマンド交通 需要予測アプリ', roles: ['consumer'] },
        grant: 'grant-mobility',
        grantName: 'デマンド交通の需要予測',
        recipient: 'まちなかモビリティ株式会社',
        legalBasis: 'consent',
        purpose: 'https://w3id.org/dpv#ImproveTransportMobility',
        decision: 'partial',
        released: [other],
        withheld: [{ subject: subjectTag(key(9), subject), reason: 'withdrawn' }, { subject: subjectTag(key(9), 'another'), reason: 'no_consent' }],
        bases: { consent: 1 },
        reasons: { no_consent: 1, withdrawn: 1 },
      }),
    ].map((entry, i) => ({ index: 7 + i, commitment: '00'.repeat(32), salt: '00'.repeat(16), entry: JSON.stringify(entry) }));
    const page = await newPage({ session: token });
    await page.route('**/machi/v1/ledger/mine?*', async (route) => {
      const params = new URL(route.request().url()).searchParams;
      const after = Number(params.get('after') ?? -1);
      const limit = Number(params.get('limit'));
      await route.fulfill({ json: { subject, size: 10, entries: entries.filter((e) => e.index > after).slice(0, limit) } });
    });
    await open(page, '/me/access-log');
    await page.locator('[data-testid="ledger-entry"]').first().waitFor();
    assert.deepEqual(await shownIndices(page), [9, 8, 7]);
    const card = (index) => page.locator(`[data-testid="ledger-entry"][data-index="${index}"]`);

    // Refused for this resident, with their own reason (not the other's).
    assert.match(await card(9).locator('h3').innerText(), /データの利用の求め（拒否）/);
    const refused = await card(9).getByTestId('entry-outcome').innerText();
    assert.match(refused, /拒否: あなたのデータは提供されませんでした/);
    assert.match(refused, /理由: 同意を撤回済み/);
    assert.ok(!refused.includes('同意がない'), 'only the resident’s own reason');
    assert.equal(await card(9).getByTestId('entry-accessor').innerText(), 'アプリ「デマンド交通 需要予測アプリ」（データ利用者）');
    assert.equal(await card(9).getByTestId('entry-recipient').innerText(), 'まちなかモビリティ株式会社');
    assert.equal(await card(9).getByTestId('entry-purpose').innerText(), '交通・移動の改善');
    assert.match(await card(9).getByTestId('entry-grant').innerText(), /^デマンド交通の需要予測\s+grant-mobility$/);

    // Released over an objection, on a statutory basis: said so.
    assert.match(await card(8).getByTestId('entry-outcome').innerText(), /許可: あなたのデータが提供されました/);
    assert.equal(
      await card(8).getByTestId('entry-overridden').textContent(),
      '!あなたはこの利用を拒んでいました（同意の撤回・不同意・利用停止の求め）が、法令上の義務に基づき利用されました。',
    );
    assert.equal(await card(8).getByTestId('entry-basis').innerText(), '法令に定める事務の遂行');
    assert.equal(await card(8).getByTestId('entry-accessor').innerText(), '佐藤 一郎 (デジタル推進課)（市職員）');
    assert.equal(await card(9).getByTestId('entry-overridden').count(), 0);

    // A grant named but not usable (the reason, the same as the result's, said once).
    assert.match(await card(7).getByTestId('entry-requested-grant').innerText(), /^grant-pilot\s+この利用の許可は停止中などで使えないため、求めは拒否されました$/);
    assert.match(await card(7).getByTestId('entry-outcome').innerText(), /理由: 利用の許可が停止中/);
    assert.equal(await card(7).getByTestId('entry-grant').count(), 0);
    await assertAccessible(page, 'access log (refusal, objection overridden)');

    // In English too.
    await page.getByTestId('lang-switch').click();
    await page.getByRole('heading', { level: 1, name: 'My access log' }).waitFor();
    assert.match(await card(9).getByTestId('entry-outcome').innerText(), /Denied: your data was not released\s+Reason: consent withdrawn/);
    assert.equal(await card(9).getByTestId('entry-purpose').innerText(), 'Improve Transport and Mobility');
    assert.equal(await card(8).getByTestId('entry-overridden').textContent(), '!You had declined this use (withdrawn or refused consent, or objected), but your data was used to fulfil a statutory duty.');
    await assertAccessible(page, 'access log in English');
    await screenshot(page, 'access-log-explained-en');
    await page.getByTestId('lang-switch').click();
    assertNoProblems(page);
    await page.context().close();
  });

  test('an entry changed on its way to the browser fails verification', async () => {
    const token = await signIn(city, ACCOUNTS.resident);
    const page = await newPage({ session: token });
    // Rewrite the newest entry's text as if the server (or anyone between) had changed it.
    let changed = null;
    await page.route('**/machi/v1/ledger/mine?*', async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      const target = body.entries.at(-1);
      if (changed === null && target?.entry) {
        changed = target.index;
        target.entry = target.entry.replace('"time":"', '"time":"1');
      }
      await route.fulfill({ response, json: body });
    });
    await open(page, '/me/access-log');
    await page.locator('[data-testid="ledger-entry"]').first().waitFor();
    assert.notEqual(changed, null);
    await page.getByTestId('verify-all').click();
    const card = page.locator(`[data-testid="ledger-entry"][data-index="${changed}"]`);
    await card.locator('[data-testid="verify-status"][data-state="failed"]').waitFor();
    assert.match(await card.getByTestId('verify-status').innerText(), /^✗検証失敗: 記録の内容が、台帳に登録されたハッシュ（コミットメント）と一致しません/);
    await page.waitForFunction(() => /失敗 [1-9]/.test(document.querySelector('[data-testid="verify-summary"]')?.textContent ?? ''));
    const states = await page.locator('[data-testid="verify-status"]').evaluateAll((items) => items.map((p) => p.dataset.state));
    assert.equal(states.filter((s) => s === 'failed').length, 1, 'only the changed entry fails');
    await assertAccessible(page, 'access log (a failed check)');
    await page.context().close();
  });
});
