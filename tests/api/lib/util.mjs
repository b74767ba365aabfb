// Shared assertions and helpers for the API tests.
import assert from 'node:assert/strict';
import { connect } from 'node:net';

import { Machi } from './machi.mjs';

export const ERRORS = 'https://uri.etsi.org/ngsi-ld/errors/';

// Starts a server; the caller stops it with stopServer().
export async function startServer(options = {}) {
  return new Machi(options).start();
}

// SIGTERM, assert a clean exit (status 0), remove the data directory.
export async function stopServer(m) {
  if (!m) return;
  const { code, signal } = await m.stop();
  m.cleanup();
  assert.equal(signal, null, `machi died from signal ${signal}; stderr:\n${m.stderr.slice(-2000)}`);
  assert.equal(code, 0, `machi exited with status ${code}; stderr:\n${m.stderr.slice(-2000)}`);
}

// A compact description of a response for assertion messages.
export function show(r) {
  return `HTTP ${r.status} ${r.text?.slice(0, 600)}`;
}

// Asserts an RFC 7807 problem details answer with the NGSI-LD error type.
// `types` is one type name or a list of acceptable ones.
export function assertProblem(r, status, types) {
  const wanted = [].concat(types ?? []);
  assert.equal(r.status, status, `expected ${status} ${wanted.join('|')}, got ${show(r)}`);
  const contentType = r.headers.get('content-type') ?? '';
  assert.match(contentType, /^application\/json\b/, `problem Content-Type was '${contentType}'`);
  assert.ok(r.json && typeof r.json === 'object' && !Array.isArray(r.json), `problem body not an object: ${r.text}`);
  assert.equal(typeof r.json.type, 'string', `problem without type: ${r.text}`);
  assert.equal(typeof r.json.title, 'string', `problem without title: ${r.text}`);
  assert.equal(typeof r.json.detail, 'string', `problem without detail: ${r.text}`);
  assert.equal(r.json.status, status, `problem status member: ${r.text}`);
  if (wanted.length) {
    assert.ok(
      wanted.some((t) => r.json.type === ERRORS + t),
      `problem type ${r.json.type}, expected one of ${wanted.map((t) => ERRORS + t).join(', ')}`,
    );
  } else {
    assert.ok(r.json.type.startsWith(ERRORS), `problem type ${r.json.type} is not an NGSI-LD error type`);
  }
}

export function assertStatus(r, status, what = '') {
  assert.equal(r.status, status, `${what} expected ${status}, got ${show(r)}`);
}

// Sorted copy, for order-independent comparisons of id lists.
export function sorted(list) {
  return [...list].sort();
}

export function ids(list) {
  return sorted(list.map((e) => e.id));
}

// A unique suffix so that tests in one file do not collide.
let counter = 0;
export function uniq(prefix = 'x') {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}`;
}

// Runs async tasks with at most `width` at a time.
export async function pool(items, width, task) {
  const results = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i], i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}

// Creates entities one POST each (a few in parallel); asserts 201 for each.
export async function createAll(m, entities, options = {}) {
  await pool(entities, 4, async (e) => {
    const r = await m.post('/entities', e, options);
    assert.equal(r.status, 201, `create ${e.id}: ${show(r)}`);
  });
}

// Sends raw bytes over a fresh TCP connection; resolves with the raw answer
// text (possibly empty when the server closed without answering).
export function rawRequest(port, bytes, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('connect', () => socket.end(bytes));
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
  });
}

// Status code of a raw HTTP answer, or 0 when there was none.
export function rawStatus(text) {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  return m ? Number(m[1]) : 0;
}

// Parses a Link header into [{url, rel}].
export function parseLinks(header) {
  if (!header) return [];
  const out = [];
  const re = /<([^>]*)>([^,<]*)/g;
  let m;
  while ((m = re.exec(header))) {
    const rel = /rel="?([^";]+)"?/.exec(m[2]);
    out.push({ url: m[1], rel: rel ? rel[1] : '' });
  }
  return out;
}

// Query string from an object, values percent-encoded with encodeURIComponent
// (never '+' for a space: machi keeps '+' literally).
export function qs(params) {
  return Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
}

// Milliseconds a promise took, with its result.
export async function timed(promise) {
  const start = performance.now();
  const result = await promise;
  return { result, ms: performance.now() - start };
}
