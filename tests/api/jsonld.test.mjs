// JSON-LD @context handling (clauses 5.5.7, 6.3.5, 5.13): user contexts from
// Link headers and @context members, remote contexts, stored contexts.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';

import { CORE_CONTEXT, enc, freePort, linkHeader } from './lib/machi.mjs';
import { assertProblem, assertStatus, show, sorted, startServer, stopServer, timed, uniq } from './lib/util.mjs';

const A_TEMP = 'https://a.example.org/temperature';
const B_TEMP = 'https://b.example.org/temperature';
const A_THERMO = 'https://a.example.org/Thermo';
const B_THERMO = 'https://b.example.org/Thermo';

const DOCS = {
  '/ctxA.jsonld': { '@context': { temp: A_TEMP, Thermo: A_THERMO } },
  '/ctxB.jsonld': { '@context': { temp: B_TEMP, Thermo: B_THERMO } },
  '/notjson.jsonld': 'this is not JSON',
};

let m;
let ctxServer;
let ctxPort;
const hits = {};
const ctxUrl = (path) => `http://127.0.0.1:${ctxPort}${path}`;

before(async () => {
  ctxPort = await freePort();
  ctxServer = createServer((req, res) => {
    hits[req.url] = (hits[req.url] ?? 0) + 1;
    if (req.url.startsWith('/slow')) {
      setTimeout(() => {
        res.writeHead(200, { 'Content-Type': 'application/ld+json' });
        res.end(JSON.stringify(DOCS['/ctxA.jsonld']));
      }, 5000).unref();
      return;
    }
    const doc = DOCS[req.url];
    if (doc === undefined) {
      res.writeHead(404);
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/ld+json' });
    res.end(typeof doc === 'string' ? doc : JSON.stringify(doc));
  });
  await new Promise((resolve) => ctxServer.listen(ctxPort, '127.0.0.1', resolve));
  m = await startServer({ args: ['--context-allow', `http://127.0.0.1:${ctxPort}/`, '--context-timeout-ms', '500'] });
});

after(async () => {
  ctxServer?.closeAllConnections?.();
  await new Promise((resolve) => (ctxServer ? ctxServer.close(resolve) : resolve()));
  await stopServer(m);
});

const withLink = (url) => ({ headers: { Link: linkHeader(url) } });
const getEntity = (id, url) => m.get(`/entities/${enc(id)}`, url ? withLink(url) : undefined);

describe('two user contexts, one short name', () => {
  const viaLink = `urn:ngsi-ld:Thermo:${uniq('link')}`;
  const viaBody = `urn:ngsi-ld:Thermo:${uniq('body')}`;

  before(async () => {
    // Through Link headers on application/json bodies.
    const r1 = await m.post('/entities', { id: viaLink, type: 'Thermo', temp: { type: 'Property', value: 1 } }, withLink(ctxUrl('/ctxA.jsonld')));
    assertStatus(r1, 201, 'create with Link A');
    const r2 = await m.post(`/entities/${enc(viaLink)}/attrs`, { temp: { type: 'Property', value: 2 } }, withLink(ctxUrl('/ctxB.jsonld')));
    assertStatus(r2, 204, 'append with Link B');
    // Through inline @context objects in application/ld+json bodies.
    const r3 = await m.post(
      '/entities',
      { id: viaBody, type: 'Thermo', temp: { type: 'Property', value: 1 }, '@context': [{ temp: A_TEMP, Thermo: A_THERMO }, CORE_CONTEXT] },
      { contentType: 'application/ld+json' },
    );
    assertStatus(r3, 201, 'create with inline A');
    const r4 = await m.post(
      `/entities/${enc(viaBody)}/attrs`,
      { temp: { type: 'Property', value: 2 }, '@context': { temp: B_TEMP } },
      { contentType: 'application/ld+json' },
    );
    assertStatus(r4, 204, 'append with inline B');
  });

  for (const which of ['viaLink', 'viaBody']) {
    const id = () => (which === 'viaLink' ? viaLink : viaBody);

    test(`${which}: read under context A shows A's temp by its short name`, async () => {
      const r = await getEntity(id(), ctxUrl('/ctxA.jsonld'));
      assertStatus(r, 200);
      assert.equal(r.json.type, 'Thermo');
      assert.deepEqual(r.json.temp, { type: 'Property', value: 1 });
      assert.deepEqual(r.json[B_TEMP], { type: 'Property', value: 2 });
      assert.deepEqual(sorted(Object.keys(r.json)), sorted(['id', 'type', 'temp', B_TEMP]));
    });

    test(`${which}: read under context B shows B's temp by its short name`, async () => {
      const r = await getEntity(id(), ctxUrl('/ctxB.jsonld'));
      assertStatus(r, 200);
      assert.equal(r.json.type, A_THERMO);
      assert.deepEqual(r.json.temp, { type: 'Property', value: 2 });
      assert.deepEqual(r.json[A_TEMP], { type: 'Property', value: 1 });
    });

    test(`${which}: read under the core context shows both full IRIs`, async () => {
      const r = await getEntity(id());
      assertStatus(r, 200);
      assert.equal(r.json.type, A_THERMO);
      assert.deepEqual(sorted(Object.keys(r.json)), sorted(['id', 'type', A_TEMP, B_TEMP]));
    });
  }

  test('a JSON answer names the request context in its Link header', async () => {
    const r = await getEntity(viaLink, ctxUrl('/ctxA.jsonld'));
    assert.ok((r.headers.get('link') ?? '').includes(ctxUrl('/ctxA.jsonld')), `Link: ${r.headers.get('link')}`);
  });

  test('a JSON-LD answer carries the request context as @context', async () => {
    const ld = await m.get(`/entities/${enc(viaLink)}`, { headers: { Link: linkHeader(ctxUrl('/ctxA.jsonld')), Accept: 'application/ld+json' } });
    assertStatus(ld, 200);
    assert.ok(JSON.stringify(ld.json['@context']).includes(ctxUrl('/ctxA.jsonld')), `@context: ${JSON.stringify(ld.json['@context'])}`);
    assert.deepEqual(ld.json.temp, { type: 'Property', value: 1 });
  });

  test('the remote context was fetched from the allowed server', () => {
    assert.ok(hits['/ctxA.jsonld'] >= 1, `ctxA fetched ${hits['/ctxA.jsonld']} times`);
    assert.ok(hits['/ctxB.jsonld'] >= 1, `ctxB fetched ${hits['/ctxB.jsonld']} times`);
  });

  test('type and q are expanded with the request context', async () => {
    const both = sorted([viaLink, viaBody]);
    const underA = await m.get('/entities?type=Thermo', withLink(ctxUrl('/ctxA.jsonld')));
    assert.deepEqual(sorted(underA.json.map((e) => e.id)), both);
    const underB = await m.get('/entities?type=Thermo', withLink(ctxUrl('/ctxB.jsonld')));
    assert.deepEqual(underB.json, []);
    const underCore = await m.get('/entities?type=Thermo');
    assert.deepEqual(underCore.json, []);
    const full = await m.get(`/entities?type=${enc(A_THERMO)}`);
    assert.deepEqual(sorted(full.json.map((e) => e.id)), both);

    const qA = await m.get(`/entities?q=${enc('temp==1')}`, withLink(ctxUrl('/ctxA.jsonld')));
    assert.deepEqual(sorted(qA.json.map((e) => e.id)), both);
    const qB1 = await m.get(`/entities?q=${enc('temp==1')}`, withLink(ctxUrl('/ctxB.jsonld')));
    assert.deepEqual(qB1.json, []);
    const qB2 = await m.get(`/entities?q=${enc('temp==2')}`, withLink(ctxUrl('/ctxB.jsonld')));
    assert.deepEqual(sorted(qB2.json.map((e) => e.id)), both);
  });

  test('attribute operations address the attribute of the request context', async () => {
    const r = await m.patch(`/entities/${enc(viaLink)}/attrs/temp`, { value: 20 }, withLink(ctxUrl('/ctxB.jsonld')));
    assertStatus(r, 204);
    const e = (await getEntity(viaLink)).json;
    assert.equal(e[B_TEMP].value, 20);
    assert.equal(e[A_TEMP].value, 1);
    assertStatus(await m.delete(`/entities/${enc(viaLink)}/attrs/temp`, withLink(ctxUrl('/ctxA.jsonld'))), 204);
    const e2 = (await getEntity(viaLink)).json;
    assert.equal(e2[A_TEMP], undefined);
    assert.equal(e2[B_TEMP].value, 20);
  });

  test('/attributes lists names compacted by the request context', async () => {
    const r = await m.get('/attributes', withLink(ctxUrl('/ctxB.jsonld')));
    assertStatus(r, 200);
    assert.ok(r.json.attributeList.includes('temp'), JSON.stringify(r.json));
    assert.ok(r.json.attributeList.includes(A_TEMP), JSON.stringify(r.json));
  });
});

describe('content types and @context placement', () => {
  test('application/json with an @context member answers 400', async () => {
    const id = `urn:ngsi-ld:T:${uniq()}`;
    const r = await m.post('/entities', { id, type: 'T', '@context': CORE_CONTEXT });
    assertProblem(r, 400, ['BadRequestData', 'InvalidRequest']);
    assertProblem(await getEntity(id), 404, 'ResourceNotFound');
  });

  test('application/ld+json without @context answers 400', async () => {
    const id = `urn:ngsi-ld:T:${uniq()}`;
    const r = await m.post('/entities', { id, type: 'T' }, { contentType: 'application/ld+json' });
    assertProblem(r, 400, ['BadRequestData', 'InvalidRequest']);
    assertProblem(await getEntity(id), 404, 'ResourceNotFound');
  });

  test('application/ld+json with the core context works', async () => {
    const id = `urn:ngsi-ld:T:${uniq()}`;
    const r = await m.post('/entities', { id, type: 'T', p: { type: 'Property', value: 1 }, '@context': CORE_CONTEXT }, { contentType: 'application/ld+json' });
    assertStatus(r, 201);
    assert.equal((await getEntity(id)).json.p.value, 1);
  });

  test('a Link header naming the core context works like none', async () => {
    const id = `urn:ngsi-ld:T:${uniq()}`;
    assertStatus(await m.post('/entities', { id, type: 'T', p: { type: 'Property', value: 1 } }, withLink(CORE_CONTEXT)), 201);
    assert.deepEqual((await getEntity(id)).json, { id, type: 'T', p: { type: 'Property', value: 1 } });
  });

  test('Content-Type text/plain answers 415', async () => {
    const id = `urn:ngsi-ld:T:${uniq()}`;
    const r = await m.post('/entities', JSON.stringify({ id, type: 'T' }), { contentType: 'text/plain' });
    assertProblem(r, 415, 'InvalidRequest');
    assertProblem(await getEntity(id), 404, 'ResourceNotFound');
    const r2 = await m.post('/jsonldContexts', JSON.stringify({ '@context': { x: 'https://x.example.org/x' } }), { contentType: 'text/plain' });
    assertProblem(r2, 415, 'InvalidRequest');
  });
});

describe('unavailable remote contexts', () => {
  const cases = [
    ['a URL that is not allowed (Link)', 'link', 'http://192.0.2.1/ctx.jsonld'],
    ['a URL that is not allowed (@context)', 'body', 'https://example.invalid/ngsi/ctx.jsonld'],
    ['an allowed URL that answers 404', 'link', () => ctxUrl('/missing.jsonld')],
  ];
  for (const [what, where, url0] of cases) {
    test(`${what}: 503 LdContextNotAvailable within 1 s, nothing created`, async () => {
      const url = typeof url0 === 'function' ? url0() : url0;
      const id = `urn:ngsi-ld:T:${uniq()}`;
      const body = { id, type: 'T', p: { type: 'Property', value: 1 } };
      const request =
        where === 'link'
          ? m.post('/entities', body, withLink(url))
          : m.post('/entities', { ...body, '@context': url }, { contentType: 'application/ld+json' });
      const { result, ms } = await timed(request);
      assertProblem(result, 503, 'LdContextNotAvailable');
      assert.ok(ms < 1000, `took ${ms} ms`);
      assertProblem(await getEntity(id), 404, 'ResourceNotFound');
      assert.deepEqual((await m.get(`/entities?id=${enc(id)}`)).json ?? [], []);
    });
  }

  test('a read with an unavailable context answers 503', async () => {
    const { result, ms } = await timed(m.get('/entities?type=T', withLink('http://192.0.2.1/other.jsonld')));
    assertProblem(result, 503, 'LdContextNotAvailable');
    assert.ok(ms < 1000, `took ${ms} ms`);
  });

  test('an allowed URL that is too slow answers 503 after the fetch timeout', async () => {
    const id = `urn:ngsi-ld:T:${uniq()}`;
    const { result, ms } = await timed(m.post('/entities', { id, type: 'T' }, withLink(ctxUrl('/slow.jsonld'))));
    assertProblem(result, 503, 'LdContextNotAvailable');
    assert.ok(ms < 2500, `took ${ms} ms with --context-timeout-ms 500`);
    assertProblem(await getEntity(id), 404, 'ResourceNotFound');
  });

  test('an allowed URL that serves something other than JSON-LD is refused', async () => {
    const id = `urn:ngsi-ld:T:${uniq()}`;
    const r = await m.post('/entities', { id, type: 'T' }, withLink(ctxUrl('/notjson.jsonld')));
    assert.ok(r.status === 503 || r.status === 400, show(r));
    assertProblem(r, r.status, r.status === 503 ? 'LdContextNotAvailable' : ['BadRequestData', 'InvalidRequest']);
    assertProblem(await getEntity(id), 404, 'ResourceNotFound');
  });
});

describe('/jsonldContexts', () => {
  const WIND = 'https://c.example.org/wind';
  let location;
  let path;

  test('POST stores a context: 201 + Location', async () => {
    const r = await m.post('/jsonldContexts', { '@context': { wind: WIND, 風速: 'https://c.example.org/windSpeed' } });
    assertStatus(r, 201);
    location = r.headers.get('location');
    assert.ok(location, 'no Location');
    path = new URL(location, m.base).pathname;
    assert.match(path, /^\/ngsi-ld\/v1\/jsonldContexts\/[^/]+$/);
  });

  test('GET lists it and serves it', async () => {
    const list = await m.get('/jsonldContexts');
    assertStatus(list, 200);
    assert.ok(Array.isArray(list.json));
    assert.ok(list.json.includes(location), `${location} not in ${JSON.stringify(list.json)}`);
    const details = await m.get('/jsonldContexts?details=true');
    const mine = details.json.find((d) => d.URL === location);
    assert.ok(mine, JSON.stringify(details.json));
    assert.equal(mine.kind, 'Hosted');
    const doc = await m.get(path);
    assertStatus(doc, 200);
    assert.equal(doc.json['@context'].wind, WIND);
    assert.equal(doc.json['@context'].風速, 'https://c.example.org/windSpeed');
  });

  test('its URL works in a Link header', async () => {
    const id = `urn:ngsi-ld:Weather:${uniq()}`;
    const r = await m.post('/entities', { id, type: 'Weather', wind: { type: 'Property', value: 5 }, 風速: { type: 'Property', value: 3 } }, withLink(location));
    assertStatus(r, 201);
    const core = (await getEntity(id)).json;
    assert.equal(core[WIND].value, 5);
    assert.equal(core['https://c.example.org/windSpeed'].value, 3);
    const own = (await getEntity(id, location)).json;
    assert.equal(own.wind.value, 5);
    assert.equal(own.風速.value, 3);
  });

  test('DELETE removes it', async () => {
    assertStatus(await m.delete(path), 204);
    assertProblem(await m.get(path), 404, 'ResourceNotFound');
    assert.ok(!(await m.get('/jsonldContexts')).json.includes(location));
    assertProblem(await m.delete(path), 404, 'ResourceNotFound');
    const r = await m.post('/entities', { id: `urn:ngsi-ld:Weather:${uniq()}`, type: 'Weather' }, withLink(location));
    assertProblem(r, 503, 'LdContextNotAvailable');
  });

  test('a body without @context answers 400; an unknown id 404', async () => {
    assertProblem(await m.post('/jsonldContexts', { wind: WIND }), 400, ['BadRequestData', 'InvalidRequest']);
    assertProblem(await m.get('/jsonldContexts/no-such-context'), 404, 'ResourceNotFound');
  });
});
