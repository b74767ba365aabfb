// Errors (clause 5.5.2 / RFC 7807), HTTP-level refusals, and robustness
// against malformed input: nothing a client sends may produce a 500 or stop
// the server, and a refused request changes nothing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { BIN, Machi, enc, linkHeader } from './lib/machi.mjs';
import { assertProblem, assertStatus, rawRequest, rawStatus, show, startServer, stopServer, uniq } from './lib/util.mjs';

let m;
let first; // owns the data directory; m may be a restarted server on it
before(async () => {
  m = first = await startServer();
});
after(async () => {
  await stopServer(m);
  first.cleanup();
});

const dead = (server) => server.proc.exitCode !== null || server.proc.signalCode !== null;

// After a crash: note it, and continue with a new server on the same data.
async function restartIfDead(failures) {
  await new Promise((r) => setTimeout(r, 100));
  if (!dead(m)) return false;
  failures.push(`  -> the server died (${m.proc.exitCode ?? m.proc.signalCode}): ${m.stderr.trim().split('\n').slice(-2).join(' | ')}`);
  m = await new Machi({ dataDir: first.dataDir }).start();
  return true;
}

const base = () => `${m.base}/ngsi-ld/v1`;
const valid = (id) => ({ id, type: 'Thing', n: { type: 'Property', value: 1 }, location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [139.7, 35.6] } } });

describe('problem details', () => {
  test('an error answer is RFC 7807 JSON with the NGSI-LD error type', async () => {
    const r = await m.get(`/entities/${enc('urn:ngsi-ld:Thing:none')}`);
    assertProblem(r, 404, 'ResourceNotFound');
    assert.ok(r.json.detail.length > 0, 'detail should say something');
  });

  test('415 for a Content-Type that is not JSON', async () => {
    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const r = await m.post('/entities', JSON.stringify(valid(`urn:ngsi-ld:Thing:${uniq()}`)), { contentType: type });
      assertProblem(r, 415, 'InvalidRequest');
    }
    const id = `urn:ngsi-ld:Thing:${uniq()}`;
    assertStatus(await m.post('/entities', valid(id)), 201);
    assertProblem(await m.patch(`/entities/${enc(id)}/attrs`, '{"n":{"type":"Property","value":2}}', { contentType: 'text/plain' }), 415, 'InvalidRequest');
  });

  test('Content-Type with parameters is understood', async () => {
    const id = `urn:ngsi-ld:Thing:${uniq()}`;
    assertStatus(await m.post('/entities', valid(id), { contentType: 'application/json; charset=utf-8' }), 201);
    const id2 = `urn:ngsi-ld:Thing:${uniq()}`;
    assertStatus(await m.post('/entities', valid(id2), { contentType: 'Application/JSON' }), 201);
  });

  const MALFORMED = ['{"id":', '{"id": "urn:x:1", "type": "T"', '[}', 'nul', '{"id":"urn:x:1","type":"T",}', "{'id':'urn:x:1'}", '{"id":"urn:x:1" "type":"T"}', '\u0000', '{"a":1}garbage'];
  for (const body of MALFORMED) {
    test(`400 for malformed JSON ${JSON.stringify(body)}`, async () => {
      assertProblem(await m.post('/entities', body), 400, ['InvalidRequest', 'BadRequestData']);
    });
  }

  test('400 for JSON that is not an object, and for an empty body', async () => {
    for (const body of ['null', '42', '"text"', 'true']) {
      assertProblem(await m.post('/entities', body), 400, ['BadRequestData', 'InvalidRequest']);
    }
    const r = await fetch(`${base()}/entities`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(await m.authHeaders()) },
      body: '',
    });
    assert.equal(r.status, 400);
  });

  test('405 for a wrong method, with Allow', async () => {
    for (const [method, path] of [['PUT', '/entities'], ['DELETE', '/entities'], ['GET', '/entityOperations/create'], ['PATCH', '/types'], ['POST', `/entities/${enc('urn:x:1')}/attrs/a`]]) {
      const r = await m.request(method, path);
      assertProblem(r, 405, 'InvalidRequest');
      assert.ok(r.headers.get('allow'), `${method} ${path}: no Allow header`);
    }
  });

  test('404 for an unknown path', async () => {
    for (const path of ['/ngsi-ld/v1/nothing', '/nothing', '/ngsi-ld/v2/entities', '/ngsi-ld/v1/entities/a/b/c/d/e']) {
      assertProblem(await m.get(path), 404, 'ResourceNotFound');
    }
  });
});

describe('413: body over the limit', () => {
  let small;
  before(async () => {
    small = await startServer({ args: ['--max-body', '1024'] });
  });
  after(async () => {
    await stopServer(small);
  });

  test('a 2000-byte body answers 413, a smaller one goes through', async () => {
    const id = `urn:ngsi-ld:Thing:${uniq()}`;
    const big = { ...valid(id), pad: { type: 'Property', value: 'x'.repeat(2000) } };
    let r;
    try {
      r = await small.post('/entities', big);
    } catch (e) {
      assert.fail(`the 413 answer was lost (connection error: ${e.cause?.code ?? e.message})`);
    }
    assertProblem(r, 413, 'InvalidRequest');
    assertProblem(await small.get(`/entities/${enc(id)}`), 404, 'ResourceNotFound');
    assertStatus(await small.post('/entities', valid(id)), 201, 'small body');
  });

  test('a chunked body over the limit answers 413', async () => {
    const body = JSON.stringify({ ...valid('urn:ngsi-ld:Thing:chunked'), pad: { type: 'Property', value: 'y'.repeat(3000) } });
    const head = `POST /ngsi-ld/v1/entities HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const chunks = `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
    const text = await rawRequest(small.port, head + chunks);
    assert.equal(rawStatus(text), 413, text.slice(0, 200));
  });
});

describe('a refused request changes nothing', () => {
  test('entity unchanged after a series of refused updates', async () => {
    const id = `urn:ngsi-ld:Thing:${uniq()}`;
    assertStatus(await m.post('/entities', { ...valid(id), other: { type: 'Property', value: 'keep' } }), 201);
    const snapshot = async () => (await m.get(`/entities/${enc(id)}?options=sysAttrs`)).json;
    const before = await snapshot();
    const badPoint = { type: 'GeoProperty', value: { type: 'Point', coordinates: [181, 0] } };
    const attempts = [
      () => m.patch(`/entities/${enc(id)}/attrs`, { n: { type: 'Property', value: 2 }, broken: { type: 'Property' } }),
      () => m.post(`/entities/${enc(id)}/attrs`, { n: { type: 'Property', value: 3 }, location: badPoint }),
      () => m.put(`/entities/${enc(id)}`, { id, type: 'Thing', location: badPoint }),
      () => m.patch(`/entities/${enc(id)}`, { n: { type: 'Property', value: 4 }, location: badPoint }),
      () => m.patch(`/entities/${enc(id)}/attrs/n`, { type: 'Relationship', object: 'not a uri' }),
      () => m.put(`/entities/${enc(id)}/attrs/n`, { type: 'Property' }),
      () => m.post('/entities', { ...valid(id), n: { type: 'Property', value: 5 } }),
      () => m.patch(`/entities/${enc(id)}/attrs`, '{"n":{"type":"Property","value":6}}', { contentType: 'text/plain' }),
      () => m.patch(`/entities/${enc(id)}/attrs`, { n: { type: 'Property', value: 7 } }, { contentType: 'application/ld+json' }),
      () => m.patch(`/entities/${enc(id)}/attrs`, { n: { type: 'Property', value: 8 } }, { headers: { Link: linkHeader('http://192.0.2.7/ctx.jsonld') } }),
      () => m.patch(`/entities/${enc(id)}/attrs`, '{"n":{"type":"Property","value":9}'),
      () => m.patch(`/entities/${enc(id)}/attrs`, { id: 'urn:ngsi-ld:Thing:other', n: { type: 'Property', value: 10 } }),
      () => m.post('/entityOperations/update', [{ id, n: { type: 'Property', value: 11 }, location: badPoint }]),
      () => m.post('/entityOperations/upsert', [{ id, type: 'Thing', n: { type: 'Property', value: 12 }, location: badPoint }]),
      () => m.delete(`/entities/${enc(id)}/attrs/nothing`),
      () => m.delete(`/entities/${enc(id)}/attrs/n?datasetId=${enc('urn:ngsi-ld:Dataset:none')}`),
    ];
    for (const [i, attempt] of attempts.entries()) {
      const r = await attempt();
      assert.ok(r.status >= 400 || r.status === 207, `attempt ${i} was accepted: ${show(r)}`);
      assert.ok(r.status < 500 || r.status === 503, `attempt ${i}: ${show(r)}`);
      assert.deepEqual(await snapshot(), before, `attempt ${i} (${r.status}) changed the entity`);
    }
  });
});

describe('garbage never produces a 500', () => {
  function* garbage() {
    const deepArray = '['.repeat(100000) + ']'.repeat(100000);
    const deepObject = '{"a":'.repeat(20000) + '1' + '}'.repeat(20000);
    const deepValue = `{"id":"urn:ngsi-ld:G:deep","type":"G","p":{"type":"Property","value":${'['.repeat(5000)}1${']'.repeat(5000)}}}`;
    const deepJson = `{"id":"urn:ngsi-ld:G:deepj","type":"G","p":{"type":"JsonProperty","json":${'{"x":'.repeat(5000)}1${'}'.repeat(5000)}}}`;
    const bodies = [
      deepArray, deepObject, deepValue, deepJson,
      '{"id":"urn:ngsi-ld:G:1","type":"G","n":{"type":"Property","value":1e400}}',
      '{"id":"urn:ngsi-ld:G:2","type":"G","n":{"type":"Property","value":-1e400}}',
      '{"id":"urn:ngsi-ld:G:3","type":"G","n":{"type":"Property","value":123456789012345678901234567890123456789}}',
      '{"id":"urn:ngsi-ld:G:4","type":"G","n":{"type":"Property","value":1e-400}}',
      '{"id":"urn:ngsi-ld:G:5","type":"G","n":{"type":"Property","value":-0}}',
      '{"id":"urn:ngsi-ld:G:6","type":"G","location":{"type":"GeoProperty","value":{"type":"Point","coordinates":[1e400,1e400]}}}',
      '{"id":"urn:ngsi-ld:G:7","type":"G","location":{"type":"GeoProperty","value":{"type":"Polygon","coordinates":[]}}}',
      '{"id":"urn:ngsi-ld:G:8","type":"G","location":{"type":"GeoProperty","value":{"type":"Polygon","coordinates":[[]]}}}',
      '{"id":"urn:ngsi-ld:G:9","type":"G","location":{"type":"GeoProperty","value":{"type":"LineString","coordinates":[[0,0]]}}}',
      '{"id":"urn:ngsi-ld:G:10","type":"G","location":{"type":"GeoProperty","value":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],5]}}}',
      '{"id":"urn:ngsi-ld:G:11","type":"G","location":{"type":"GeoProperty","value":{"type":"GeometryCollection","geometries":[]}}}',
      '{"id":"urn:ngsi-ld:G:12","type":"G","location":{"type":"GeoProperty","value":{"type":"Point","coordinates":["a","b"]}}}',
      '{"id":"urn:ngsi-ld:G:13","type":"G","location":{"type":"GeoProperty","value":{"type":"Point","coordinates":[null,1]}}}',
      '{"id":"urn:ngsi-ld:G:14","type":[],"n":1}',
      '{"id":"urn:ngsi-ld:G:15","type":[1,2]}',
      '{"id":"urn:ngsi-ld:G:16","type":{"a":1}}',
      '{"id":["urn:ngsi-ld:G:17"],"type":"G"}',
      '{"id":"urn:ngsi-ld:G:18","type":"G","n":{"type":"Property","value":{"@type":"DateTime","@value":"not a date"}}}',
      '{"id":"urn:ngsi-ld:G:19","type":"G","n":{"type":"Property","value":1,"observedAt":12}}',
      '{"id":"urn:ngsi-ld:G:20","type":"G","n":{"type":"Property","value":1,"datasetId":5}}',
      '{"id":"urn:ngsi-ld:G:21","type":"G","n":[{"type":"Property","value":1},{"type":"Property","value":2}]}',
      '{"id":"urn:ngsi-ld:G:22","type":"G","n":[]}',
      '{"id":"urn:ngsi-ld:G:23","type":"G","n":null}',
      '{"id":"urn:ngsi-ld:G:24","type":"G","n":{"type":"Relationship","object":["urn:a:1",5]}}',
      '{"id":"urn:ngsi-ld:G:25","type":"G","n":{"type":"LanguageProperty","languageMap":[]}}',
      '{"id":"urn:ngsi-ld:G:26","type":"G","n":{"type":"VocabProperty","vocab":5}}',
      '{"id":"urn:ngsi-ld:G:27","type":"G","n":{"type":"ListProperty","valueList":{"a":1}}}',
      '{"id":"urn:ngsi-ld:G:28","type":"G","n":{"type":"Property","value":1,"m":{"type":"Property","value":1,"k":{"type":"Property","value":{"x":[1,{"y":null}]}}}}}',
      '{"id":"urn:ngsi-ld:G:29","type":"G","@context":{"n":"https://x.example.org/n"},"n":1}',
      '{"id":"urn:ngsi-ld:G:30","type":"G","id":"urn:ngsi-ld:G:30b"}',
      '{"id":"urn:ngsi-ld:G:31","type":"G","":{"type":"Property","value":1}}',
      '{"id":"urn:ngsi-ld:G:32","type":"G","@id":"urn:x:y","@type":"Z"}',
      '{"id":"urn:ngsi-ld:G:33","type":"G","createdAt":"bogus","modifiedAt":5}',
      '{"id":"urn:ngsi-ld:G:34","type":"G","n":{"type":"Property","value":"\\ud800"}}',
      '{"id":"urn:ngsi-ld:G:35","type":"G","n":{"type":"Property","value":"\\u0000\\u0001"}}',
      '{"id":"urn:ngsi-ld:G:\\u0000","type":"G"}',
      '{"id":"urn:ngsi-ld:G:36","type":"G\\u0000"}',
      `{"id":"urn:ngsi-ld:G:37","type":"G","${'k'.repeat(100000)}":{"type":"Property","value":1}}`,
      `{"id":"urn:ngsi-ld:G:${'i'.repeat(100000)}","type":"G"}`,
      `{"id":"urn:ngsi-ld:G:38","type":"${'T'.repeat(100000)}"}`,
      `{"id":"urn:ngsi-ld:G:39","type":"G",${Array.from({ length: 1000 }, (_, i) => `"a${i}":${i}`).join(',')}}`,
    ];
    for (const body of bodies) {
      yield ['POST', '/entities', body];
    }
    // Raw bytes: invalid UTF-8, NUL bytes, random binary.
    const bytes = [
      Buffer.from('{"id":"urn:ngsi-ld:G:b1","type":"G","n":{"type":"Property","value":"\xff\xfe\xfd"}}', 'latin1'),
      Buffer.from('{"id":"urn:ngsi-ld:G:\xc3\x28","type":"G"}', 'latin1'),
      Buffer.from('{"id":"urn:ngsi-ld:G:b3","type":"\xed\xa0\x80"}', 'latin1'),
      Buffer.from('{"id":"urn:ngsi-ld:G:b4","type":"G","\xf8\x88\x80\x80\x80":1}', 'latin1'),
      Buffer.from('{"id":"urn:ngsi-ld:G:b5","type":"G","n":"a\x00b"}', 'latin1'),
      Buffer.from('{"id":"urn:ngsi-ld:G:b6"\x00,"type":"G"}', 'latin1'),
      Buffer.from('\xef\xbb\xbf{"id":"urn:ngsi-ld:G:b7","type":"G"}', 'latin1'),
      Buffer.alloc(1000, 0),
    ];
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < 12; i++) bytes.push(Buffer.from(Array.from({ length: 50 + Math.floor(rnd() * 500) }, () => Math.floor(rnd() * 256))));
    for (const b of bytes) {
      yield ['POST', '/entities', b];
      yield ['POST', '/entityOperations/upsert', b];
    }
    // Batches with odd items.
    for (const op of ['create', 'upsert', 'update', 'merge', 'delete']) {
      for (const body of ['[null,1,"x",{},[]]', '[{"id":5}]', '[{"id":"urn:ngsi-ld:G:batch","type":"G","@context":"http://192.0.2.1/c.jsonld"}]', '{}', '[' + '{},'.repeat(500) + '{}]', deepArray]) {
        yield ['POST', `/entityOperations/${op}`, body];
      }
    }
    // Fragments on an existing entity.
    for (const body of ['{"n":null}', '{"n":[]}', '{"n":{"type":"Property","value":null}}', '{"n":{"value":{"a":"urn:ngsi-ld:null"}}}', '{"n":"urn:ngsi-ld:null","location":"urn:ngsi-ld:null"}', '{"type":5}', '{"id":null}', '{"@context":null}', deepObject]) {
      yield ['PATCH', '/entities/urn:ngsi-ld:G:target/attrs', body];
      yield ['PATCH', '/entities/urn:ngsi-ld:G:target', body];
      yield ['POST', '/entities/urn:ngsi-ld:G:target/attrs', body];
      yield ['PATCH', '/entities/urn:ngsi-ld:G:target/attrs/n', body];
      yield ['PUT', '/entities/urn:ngsi-ld:G:target/attrs/n', body];
    }
    // Query parameters.
    const params = [
      'limit=99999999999999999999', `offset=${'9'.repeat(30)}`, 'limit=1e3', 'offset=-0', 'count=maybe',
      `q=${enc(`n==${'9'.repeat(400)}`)}`, `q=${enc('n==1e400')}`, `q=${enc('n==-1e400..1e400')}`, `q=${enc('('.repeat(1000) + 'n==1' + ')'.repeat(1000))}`,
      `q=${enc('n==1;'.repeat(3000) + 'n==1')}`, `q=${enc('n~=' + '('.repeat(100))}`, `q=${enc('n~=(a{1000}){1000}')}`, `q=${enc('n~=\\')}`,
      `q=${enc('n[' + 'a]['.repeat(500) + 'b]==1')}`, `q=${enc('n.'.repeat(500) + 'x==1')}`, 'q=%00', 'q=%ff%fe', `q=${enc('n=="\u0000"')}`, `q=${enc('n==2026-13-45T99:99:99Z')}`,
      `q=${enc('n==2026-01-01T00:00:00+99:99')}`, `q=${enc('n==..')}`, `q=${enc('n==1..')}`, `q=${enc('n=="a","b",')}`,
      `type=${enc('a;b')}`, `type=${enc('(a|b)')}`, 'type=%', 'type=', 'id=', 'id=,,,', `idPattern=${enc('(')}`, `idPattern=${enc('a{100000}')}`,
      `idPattern=${enc('(?<name>x)')}`, `attrs=${enc(',,')}`, 'options=%ff', 'format=%00', 'lang=%ff',
      `georel=${enc('near;maxDistance==1e400')}&geometry=Point&coordinates=${enc('[0,0]')}`,
      `georel=${enc('near;maxDistance==NaN')}&geometry=Point&coordinates=${enc('[0,0]')}`,
      `georel=${enc('near;minDistance==-1')}&geometry=Point&coordinates=${enc('[0,0]')}`,
      `georel=within&geometry=Polygon&coordinates=${enc('[[[0,0],[1,1],[0,0]]]')}`,
      `georel=within&geometry=Polygon&coordinates=${enc('[[[0,0],[1,0],[0,1],[1,1],[0,0]]]')}`,
      `georel=intersects&geometry=MultiPolygon&coordinates=${enc('[[[[0,0]]]]')}`,
      `georel=within&geometry=Polygon&coordinates=${enc(JSON.stringify([Array.from({ length: 20000 }, (_, i) => [Math.cos(i) * 10, Math.sin(i) * 10]).concat([[10, 0]])]))}`,
      `georel=within&geometry=Polygon&coordinates=${enc('['.repeat(5000) + ']'.repeat(5000))}`,
      `georel=equals&geometry=Point&coordinates=${enc('[0,0,0,0,0]')}`,
      `georel=near;maxDistance==10&geometry=Point&coordinates=${enc('[0,0]')}&geoproperty=${enc('%ff')}`,
      'georel=near;maxDistance==10&geometry=Point&coordinates=[0,0]&geoproperty=',
      // a long query string comes back in the next-page Link header
      `limit=1&filler=${'a'.repeat(65340)}`,
      `limit=1&count=true&id=${enc(`urn:ngsi-ld:G:target,urn:ngsi-ld:G:target2,${'urn:ngsi-ld:G:x,'.repeat(4080)}`)}`,
    ];
    for (const p of params) {
      yield ['GET', `/entities?type=GT&${p}`];
    }
    // Paths.
    const paths = [
      '/entities/%', '/entities/%zz', '/entities/%00', '/entities/%ff%fe', '/entities/%2F', '/entities/..', '/entities/.', '/entities/%2e%2e',
      `/entities/${'x'.repeat(20000)}`, '/entities/urn:ngsi-ld:G:1/attrs/%', '/entities/urn:ngsi-ld:G:1/attrs/%00', '/types/%ff', '/attributes/%00',
      '/jsonldContexts/%2e%2e%2f%2e%2e', '/jsonldContexts/..', '/jsonldContexts/%00', '//entities', '/entities//', '/entities?&&&=&=', '/entities?%=%',
      '/entities?type=G&type=H&type=I', '/entities/urn:ngsi-ld:G:target?options=sysAttrs,keyValues,concise,normalized&format=concise',
    ];
    for (const p of paths) {
      yield ['GET', p];
      yield ['DELETE', p];
    }
  }

  test('~300 malformed requests: every answer < 500, the server stays up', async () => {
    for (const id of ['urn:ngsi-ld:G:target', 'urn:ngsi-ld:G:target2']) {
      const target = { id, type: 'GT', n: { type: 'Property', value: 1 }, location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [0.5, 0.5] } } };
      assertStatus(await m.post('/entities', target), 201);
    }
    const failures = [];
    let count = 0;
    const auth = await m.authHeaders();
    for (const [method, path, body] of garbage()) {
      count += 1;
      let status;
      try {
        const r = await fetch(`${base()}${path}`, {
          method,
          headers: { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...auth },
          body,
        });
        await r.arrayBuffer();
        status = r.status;
      } catch (e) {
        status = `connection error ${e.cause?.code ?? e.message}`;
      }
      if (typeof status !== 'number' || status >= 500) {
        const shown = body === undefined ? '' : ` body ${String(body).slice(0, 80)}${String(body).length > 80 ? `... (${String(body).length} bytes)` : ''}`;
        failures.push(`${method} ${path.slice(0, 120)}${shown} -> ${status}`);
        await restartIfDead(failures);
      }
    }
    assert.ok(count >= 200, `only ${count} requests`);
    assert.deepEqual(failures, [], `${failures.length} bad answers:\n${failures.join('\n')}`);
    assertStatus(await m.get('/health'), 200, 'health after garbage');
    const id = `urn:ngsi-ld:Thing:${uniq()}`;
    assertStatus(await m.post('/entities', valid(id)), 201, 'create after garbage');
    assert.equal((await m.get(`/entities/${enc(id)}`)).json?.n?.value, 1);
  });

  test('malformed HTTP and headers: never a 500, the server stays up', async () => {
    const requests = [
      'GET /ngsi-ld/v1/entities/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /ngsi-ld/v1/entities?type=\xff HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /ngsi-ld/v1/types HTTP/1.1\r\nHost: x\r\nNGSILD-Tenant: \xff\xfe\r\n\r\n',
      'GET /ngsi-ld/v1/types HTTP/1.1\r\nHost: x\r\nNGSILD-Tenant: a\x01b\r\n\r\n',
      'GET /ngsi-ld/v1/types HTTP/1.1\r\nHost: x\r\nLink: <<<>>>\r\n\r\n',
      'GET /ngsi-ld/v1/types HTTP/1.1\r\nHost: x\r\nLink: <\xff>; rel="http://www.w3.org/ns/json-ld#context"\r\n\r\n',
      `GET /ngsi-ld/v1/types HTTP/1.1\r\nHost: x\r\nLink: <${'a'.repeat(10000)}>; rel="http://www.w3.org/ns/json-ld#context"\r\n\r\n`,
      'GET /ngsi-ld/v1/types HTTP/1.1\r\nHost: x\r\nLink: ; rel="http://www.w3.org/ns/json-ld#context"\r\n\r\n',
      'GET /ngsi-ld/v1/types HTTP/1.1\r\nHost: x\r\nAccept: ;;;,,,\r\n\r\n',
      'GET /ngsi-ld/v1/types HTTP/1.1\r\nHost: x\r\nAccept: \xff\r\n\r\n',
      `GET /ngsi-ld/v1/types HTTP/1.1\r\nHost: x\r\nNGSILD-Tenant: ${'t'.repeat(5000)}\r\n\r\n`,
      'POST /ngsi-ld/v1/entities HTTP/1.1\r\nHost: x\r\nContent-Length: 30\r\n\r\n{"id":"urn:x:1","type":"T"}   ',
      'POST /ngsi-ld/v1/entities HTTP/1.1\r\nHost: x\r\nContent-Type: \xff\r\nContent-Length: 2\r\n\r\n{}',
      'POST /ngsi-ld/v1/entities HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'POST /ngsi-ld/v1/entities HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -5\r\n\r\n',
      'POST /ngsi-ld/v1/entities HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999999999999999\r\n\r\n',
      'POST /ngsi-ld/v1/entities HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
      'BREW /ngsi-ld/v1/entities HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET ngsi-ld/v1/entities HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET * HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET http://example.org/ngsi-ld/v1/types HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /ngsi-ld/v1/types HTTP/9.9\r\nHost: x\r\n\r\n',
      'GET /ngsi-ld/v1/types\r\n\r\n',
      `GET /ngsi-ld/v1/types HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(70000)}\r\n\r\n`,
      `GET /ngsi-ld/v1/types HTTP/1.1\r\n${Array.from({ length: 2000 }, (_, i) => `X-H${i}: v`).join('\r\n')}\r\n\r\n`,
      '\x00\x01\x02\x03\r\n\r\n',
      '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03',
    ];
    const bad = [];
    for (const req of requests) {
      let text;
      try {
        text = await rawRequest(m.port, Buffer.from(req, 'latin1'));
      } catch (e) {
        bad.push(`${JSON.stringify(req.slice(0, 80))} -> ${e.message}`);
        continue;
      }
      const status = rawStatus(text);
      if (status >= 500) bad.push(`${JSON.stringify(req.slice(0, 80))} -> ${text.slice(0, 200)}`);
      if ((status === 0 || status >= 500) && (await restartIfDead(bad))) bad.push(`  (after ${JSON.stringify(req.slice(0, 80))})`);
    }
    assert.deepEqual(bad, []);
    assertStatus(await m.get('/health'), 200, 'health');
    assert.equal(m.proc.exitCode, null, 'server still running');
  });

  test('a request without Content-Type is refused with 400 or 415', async () => {
    const body = '{"id":"urn:ngsi-ld:Thing:noct","type":"Thing"}';
    const { Authorization } = await m.authHeaders();
    const text = await rawRequest(
      m.port,
      `POST /ngsi-ld/v1/entities HTTP/1.1\r\nHost: x\r\nAuthorization: ${Authorization}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
    const status = rawStatus(text);
    assert.ok(status === 415 || status === 400, text.slice(0, 300));
  });
});

describe('health and version', () => {
  test('/health answers 200', async () => {
    const r = await m.get('/health');
    assertStatus(r, 200);
    assert.equal(r.json?.status, 'ok');
  });

  test('machi --version prints the version', () => {
    const r = spawnSync(BIN, ['--version'], { encoding: 'utf8', timeout: 10000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^machi \d+\.\d+\S*\s*$/);
  });

  test('a second machi on a data directory in use stops at once and says why; the first serves on', async () => {
    const r = spawnSync(BIN, ['serve', '--port', '1', '--data', m.dataDir], { encoding: 'utf8', timeout: 10000 });
    assert.equal(r.status, 1, `status ${r.status}: ${r.stderr}`);
    assert.match(r.stderr, /in use by another machi process/);
    assertStatus(await m.get('/health'), 200);
  });

  test('bad command lines exit with status 2 and say why', () => {
    for (const args of [['serve', '--port', 'abc'], ['serve', '--bogus'], ['frobnicate'], ['serve', '--durability', 'maybe'], ['serve', '--entity-cache-mb', 'lots'], []]) {
      const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 10000 });
      assert.equal(r.status, 2, `machi ${args.join(' ')}: status ${r.status}`);
      assert.ok(r.stderr.length > 0, `machi ${args.join(' ')}: no message`);
    }
  });
});
