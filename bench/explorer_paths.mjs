// The requests the data explorer makes (web/src/api/ngsi.ts, query.ts), as a
// request-target file for `machi_loadgen --scenario paths` (bench/run.sh,
// demo part):
//
//   node bench/explorer_paths.mjs BASE OUT.txt
//
// One line per request, built like the web app builds them, over the city
// that BASE serves, in the proportions of explorer visits: opening the
// explorer (GET /types?details=true, a count per type, the first page of
// entities), paging on, filtering by type, searching names and ids, and
// opening entity details (GET /entities/{id}?options=sysAttrs). Prints the
// mix on stderr.
import { writeFileSync } from 'node:fs';
import { apiHeaders, signIn } from '../tests/e2e/lib/session.mjs';

const [base, out] = process.argv.slice(2);
if (!base || !out) {
  console.error('usage: node bench/explorer_paths.mjs BASE OUT.txt');
  process.exit(2);
}
const NGSI = '/ngsi-ld/v1';
const server = { base: base.replace(/\/$/, '') };
server.token = await signIn(server);

// web/src/api/query.ts: every value with encodeURIComponent, empty ones left out.
const qs = (params) => {
  const pairs = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return pairs.length ? `?${pairs.join('&')}` : '';
};
const containsQ = (attribute, text) => `${attribute}~="${`(?i).*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*`.replace(/"/g, '\\"')}"`;
const list = (filter, page) =>
  `${NGSI}/entities${qs({ type: filter.type, idPattern: filter.idPattern, q: filter.q, limit: 20, offset: (page - 1) * 20, count: true, options: 'keyValues', lang: 'ja' })}`;
const count = (type) => `${NGSI}/entities${qs({ type, count: true, limit: 0 })}`;
const detail = (id) => `${NGSI}/entities/${encodeURIComponent(id)}?options=sysAttrs`;

async function get(path) {
  const r = await fetch(server.base + path, { headers: { Accept: 'application/json', ...apiHeaders(server) } });
  if (!r.ok) throw new Error(`GET ${path}: ${r.status} ${await r.text()}`);
  return { json: await r.json(), total: Number(r.headers.get('NGSILD-Results-Count')) };
}

// A fixed pseudo-random sequence: the same mix for the same city.
let state = 12345;
const random = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
const pick = (xs) => xs[Math.floor(random() * xs.length)];

const types = (await get(`${NGSI}/types?details=true`)).json.map((t) => t.typeName ?? t.id).sort();
const totals = new Map();
for (const type of types) totals.set(type, (await get(count(type))).total);
const all = (await get(count(undefined))).total;
// Ids to open: a few of every type, from anywhere in the type's list.
const ids = [];
for (const type of types) {
  for (let k = 0; k < 3; k++) {
    const offset = Math.floor(random() * totals.get(type));
    const { json } = await get(`${NGSI}/entities${qs({ type, limit: 1, offset, options: 'keyValues' })}`);
    if (json[0]) ids.push(json[0].id);
  }
}
const SEARCHES = ['中央', '公園', '小学校', '駅', '避難所', 'バス停', '丁目'];

const lines = [];
const mix = {};
const add = (kind, path) => {
  lines.push(path);
  mix[kind] = (mix[kind] ?? 0) + 1;
};
for (let visit = 0; visit < 20; visit++) {
  // Opening the explorer: the type table and the first page.
  add('types', `${NGSI}/types?details=true`);
  for (const type of types) add('count', count(type));
  add('list', list({}, 1));
  // Paging on, then looking at a few types.
  for (let k = 0; k < 2; k++) add('list', list({}, 1 + Math.floor(random() * Math.ceil(all / 20))));
  for (let k = 0; k < 4; k++) {
    const type = pick(types);
    add('list', list({ type }, 1));
    if (totals.get(type) > 20) add('list', list({ type }, 2));
  }
  add('search', list({ q: containsQ('name', pick(SEARCHES)) }, 1));
  add('search', list({ idPattern: `urn:ngsi-ld:${pick(types)}:.*` }, 1));
  for (let k = 0; k < 8; k++) add('detail', detail(pick(ids)));
}
writeFileSync(out, lines.join('\n') + '\n');
console.error(`explorer_paths: ${lines.length} requests over ${types.length} types and ${all} entities: ` +
  Object.entries(mix).map(([k, n]) => `${n} ${k}`).join(', '));
