// NGSIv2 and NGSI-LD see the same entities; Fiware-ServicePath scopes them
// (stored as the NGSI-LD scope), Fiware-Service selects the tenant, and v2
// reads of personal data pass the policy enforcement point as NGSI-LD's do.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { accountWithToken, as } from './lib/trust.mjs';
import { show, startServer, stopServer } from './lib/util.mjs';

let m;

before(async () => {
  m = await startServer();
});

after(async () => {
  await stopServer(m);
});

const ids = (r) => r.json.map((e) => e.id).sort();

describe('NGSIv2 <-> NGSI-LD', () => {
  test('an entity written with v2 reads as NGSI-LD (and its v2 attribute type stays for v2)', async () => {
    let r = await m.post('/v2/entities', {
      id: 'Room1', type: 'Room',
      temperature: { value: 23.5, type: 'Float', metadata: { unitCode: { value: 'CEL' }, TimeInstant: { type: 'DateTime', value: '2026-01-02T03:04:05Z' } } },
      occupied: { value: true },
      owner: { type: 'Relationship', value: 'urn:ngsi-ld:Person:1' },
      location: { type: 'geo:json', value: { type: 'Point', coordinates: [139.7, 35.6] } },
    });
    assert.equal(r.status, 201, show(r));
    r = await m.get('/ngsi-ld/v1/entities/Room1');
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json.type, 'Room');
    assert.equal(r.json.temperature.type, 'Property');
    assert.equal(r.json.temperature.value, 23.5);
    assert.equal(r.json.temperature.unitCode, 'CEL');
    assert.equal(r.json.temperature.observedAt, '2026-01-02T03:04:05.000Z');
    assert.equal(r.json.temperature['urn:machi:ngsiv2:attrType'].value, 'Float');
    assert.deepEqual(r.json.occupied, { type: 'Property', value: true });
    assert.deepEqual(r.json.owner, { type: 'Relationship', object: 'urn:ngsi-ld:Person:1' });
    assert.equal(r.json.location.type, 'GeoProperty');
    // NGSI-LD queries find it with the same names
    r = await m.get('/ngsi-ld/v1/entities?type=Room&q=temperature>20');
    assert.deepEqual(ids(r), ['Room1']);
    // and v2 reads back what it wrote
    r = await m.get('/v2/entities/Room1?attrs=temperature');
    assert.deepEqual(r.json.temperature, {
      type: 'Float', value: 23.5,
      metadata: { unitCode: { type: 'Text', value: 'CEL' }, TimeInstant: { type: 'DateTime', value: '2026-01-02T03:04:05Z' } },
    });
  });

  test('an entity written with NGSI-LD reads sensibly with v2', async () => {
    let r = await m.post('/ngsi-ld/v1/entities', {
      id: 'urn:ngsi-ld:Shelter:1', type: 'Shelter',
      capacity: { type: 'Property', value: 120, unitCode: 'C62', observedAt: '2026-01-01T00:00:00Z' },
      name: { type: 'Property', value: '中央避難所' },
      operator: { type: 'Relationship', object: 'urn:ngsi-ld:Organization:city' },
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [139.76, 35.68] } },
    });
    assert.equal(r.status, 201, show(r));
    r = await m.get(`/v2/entities/${encodeURIComponent('urn:ngsi-ld:Shelter:1')}`);
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.json, {
      id: 'urn:ngsi-ld:Shelter:1', type: 'Shelter',
      capacity: { type: 'Number', value: 120, metadata: { unitCode: { type: 'Text', value: 'C62' }, observedAt: { type: 'DateTime', value: '2026-01-01T00:00:00.000Z' } } },
      name: { type: 'Text', value: '中央避難所', metadata: {} },
      operator: { type: 'Relationship', value: 'urn:ngsi-ld:Organization:city', metadata: {} },
      location: { type: 'geo:json', value: { type: 'Point', coordinates: [139.76, 35.68] }, metadata: {} },
    });
    r = await m.get('/v2/entities?type=Shelter&q=capacity>100&options=keyValues&attrs=capacity');
    assert.deepEqual(r.json, [{ id: 'urn:ngsi-ld:Shelter:1', type: 'Shelter', capacity: 120 }]);
    // a v2 update is seen by NGSI-LD
    r = await m.patch(`/v2/entities/${encodeURIComponent('urn:ngsi-ld:Shelter:1')}/attrs`, { capacity: { value: 80 } });
    assert.equal(r.status, 204, show(r));
    r = await m.get(`/ngsi-ld/v1/entities/${encodeURIComponent('urn:ngsi-ld:Shelter:1')}?attrs=capacity`);
    assert.equal(r.json.capacity.value, 80);
    assert.equal(r.json.capacity.unitCode, 'C62'); // metadata kept
  });
});

describe('Fiware-ServicePath', () => {
  before(async () => {
    for (const [id, path] of [['Spot1', '/Tokyo/Chiyoda'], ['Spot2', '/Tokyo/Minato'], ['Spot3', '/'], ['Spot4', '/Osaka']]) {
      const r = await m.post('/v2/entities?options=keyValues', { id, type: 'Spot', n: 1 }, { headers: { 'Fiware-ServicePath': path } });
      assert.equal(r.status, 201, show(r));
    }
  });

  const spots = async (path) => {
    const headers = path === undefined ? {} : { 'Fiware-ServicePath': path };
    const r = await m.get('/v2/entities?type=Spot', { headers });
    assert.equal(r.status, 200, show(r));
    return ids(r);
  };

  test('queries select by path, subtree and list; no header means all', async () => {
    assert.deepEqual(await spots(undefined), ['Spot1', 'Spot2', 'Spot3', 'Spot4']);
    assert.deepEqual(await spots('/Tokyo/Chiyoda'), ['Spot1']);
    assert.deepEqual(await spots('/Tokyo/#'), ['Spot1', 'Spot2']);
    assert.deepEqual(await spots('/Tokyo'), []);
    assert.deepEqual(await spots('/Tokyo/Chiyoda, /Osaka'), ['Spot1', 'Spot4']);
    assert.deepEqual(await spots('/'), ['Spot3']);
    assert.deepEqual(await spots('/#'), ['Spot1', 'Spot2', 'Spot3', 'Spot4']);
  });

  test('the path is the NGSI-LD scope', async () => {
    const r = await m.get('/ngsi-ld/v1/entities/Spot1');
    assert.equal(r.json.scope, '/Tokyo/Chiyoda');
    assert.equal((await m.get('/ngsi-ld/v1/entities/Spot3')).json.scope, undefined); // "/" is no scope
  });

  test('single-entity operations stay in their path', async () => {
    const minato = { headers: { 'Fiware-ServicePath': '/Tokyo/Minato' } };
    assert.equal((await m.get('/v2/entities/Spot1', minato)).status, 404);
    assert.equal((await m.patch('/v2/entities/Spot1/attrs', { n: { value: 2 } }, minato)).status, 404);
    assert.equal((await m.delete('/v2/entities/Spot1', minato)).status, 404);
    assert.equal((await m.get('/v2/entities/Spot1', { headers: { 'Fiware-ServicePath': '/Tokyo/Chiyoda' } })).status, 200);
  });

  test('invalid service paths are 400', async () => {
    for (const path of ['Tokyo', '/a b', '/a/#/b', '/' + 'x'.repeat(51), '/a-b']) {
      const r = await m.get('/v2/entities', { headers: { 'Fiware-ServicePath': path } });
      assert.equal(r.status, 400, `${path}: ${show(r)}`);
      assert.equal(r.json.error, 'BadRequest');
    }
    const r = await m.post('/v2/entities', { id: 'X', type: 'Spot' }, { headers: { 'Fiware-ServicePath': '/Tokyo/#' } });
    assert.equal(r.status, 400, show(r));
    const two = await m.post('/v2/entities', { id: 'X', type: 'Spot' }, { headers: { 'Fiware-ServicePath': '/a,/b' } });
    assert.equal(two.status, 400, show(two));
  });
});

describe('Fiware-Service', () => {
  test('selects the tenant, as NGSILD-Tenant does', async () => {
    await m.adminToken('city_a'); // creates the tenant and logs in its administrator
    const inA = { headers: { 'Fiware-Service': 'city_a' }, auth: 'city_a' };
    let r = await m.post('/v2/entities?options=keyValues', { id: 'Secret1', type: 'Box', n: 1 }, inA);
    assert.equal(r.status, 201, show(r));
    assert.equal((await m.get('/v2/entities/Secret1', inA)).status, 200);
    assert.equal((await m.get('/v2/entities/Secret1', { headers: { 'Fiware-Service': 'CITY_A' }, auth: 'city_a' })).status, 200);
    assert.equal((await m.get('/v2/entities/Secret1')).status, 404);
    assert.deepEqual((await m.get('/v2/entities?type=Box')).json, []);
    r = await m.get('/ngsi-ld/v1/entities/Secret1', { headers: { 'NGSILD-Tenant': 'city_a' } });
    assert.equal(r.status, 200, show(r));
    // the default tenant's token does not open city_a
    r = await m.get('/v2/entities/Secret1', { headers: { 'Fiware-Service': 'city_a' }, auth: '' });
    assert.ok(r.status === 401 || r.status === 403, show(r));
  });
});

describe('the policy enforcement point', () => {
  test('v2 reads of personal entities are withheld without a grant, as with NGSI-LD', async () => {
    assert.equal((await m.put('/machi/v1/personal-types/TripRecord', {})).status, 200);
    let r = await m.post('/v2/entities?options=keyValues', { id: 'Trip1', type: 'TripRecord', dataSubject: 'pseudo-1', distance: 3.2 });
    assert.equal(r.status, 201, show(r));
    assert.equal((await m.post('/v2/entities?options=keyValues', { id: 'Stop1', type: 'BusStop', name: '市役所前' })).status, 201);
    const { token } = await accountWithToken(m, { username: 'v2-consumer', roles: ['consumer'] });
    r = await m.get('/v2/entities?type=TripRecord', as(token));
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.json, []);
    assert.equal((await m.get('/v2/entities/Trip1', as(token))).status, 404);
    assert.equal((await m.get('/v2/entities/Trip1/attrs/distance/value', as(token))).status, 404);
    r = await m.post('/v2/op/query', { entities: [{ idPattern: '.*' }] }, as(token));
    assert.ok(!r.json.some((e) => e.id === 'Trip1'), show(r));
    assert.ok(r.json.some((e) => e.id === 'Stop1'), show(r));
    assert.equal((await m.get('/ngsi-ld/v1/entities/Trip1', as(token))).status, 404);
    // and consumers do not write
    r = await m.post('/v2/entities?options=keyValues', { id: 'Trip2', type: 'TripRecord' }, as(token));
    assert.equal(r.status, 403, show(r));
  });
});

describe('--ngsiv2-context', () => {
  test('v2 names expand through the configured @context, and NGSI-LD clients of that context see the same names', async () => {
    const { Machi, linkHeader } = await import('./lib/machi.mjs');
    const first = await startServer();
    const context = {
      '@context': {
        Room: 'https://smartdatamodels.org/dataModel.Building/Room',
        temperature: 'https://smartdatamodels.org/dataModel.Building/temperature',
      },
    };
    const stored = await first.post('/ngsi-ld/v1/jsonldContexts', context, { contentType: 'application/ld+json' });
    assert.equal(stored.status, 201, show(stored));
    const url = stored.headers.get('location');
    const { port, dataDir } = first;
    await first.stop();
    const second = new Machi({ dataDir, port, args: ['--ngsiv2-context', url] });
    await second.start();
    try {
      let r = await second.post('/v2/entities?options=keyValues', { id: 'Room7', type: 'Room', temperature: 20 });
      assert.equal(r.status, 201, show(r));
      r = await second.get('/ngsi-ld/v1/entities/Room7');
      assert.equal(r.json.type, 'https://smartdatamodels.org/dataModel.Building/Room');
      r = await second.get('/ngsi-ld/v1/entities/Room7', { headers: { Link: linkHeader(url) } });
      assert.equal(r.json.type, 'Room');
      assert.equal(r.json.temperature.value, 20);
      r = await second.get('/v2/entities?type=Room&options=keyValues');
      assert.deepEqual(r.json, [{ id: 'Room7', type: 'Room', temperature: 20 }]);
    } finally {
      await stopServer(second);
      first.cleanup();
    }
  });
});

describe('durability', () => {
  test('a v2 write answered 2xx survives a kill -9', async () => {
    const { Machi } = await import('./lib/machi.mjs');
    const first = await startServer();
    let r = await first.post('/v2/entities?options=keyValues', { id: 'Durable1', type: 'Room', temperature: 20 });
    assert.equal(r.status, 201, show(r));
    r = await first.patch('/v2/entities/Durable1/attrs?options=keyValues', { temperature: 21 });
    assert.equal(r.status, 204, show(r));
    r = await first.post('/v2/registrations', {
      dataProvided: { entities: [{ id: 'Remote1' }] },
      provider: { http: { url: 'http://127.0.0.1:9/v2' } },
    });
    assert.equal(r.status, 201, show(r));
    const { port, dataDir } = first;
    await first.kill();
    const second = await new Machi({ dataDir, port }).start();
    try {
      r = await second.get('/v2/entities/Durable1?options=keyValues');
      assert.deepEqual(r.json, { id: 'Durable1', type: 'Room', temperature: 21 });
      assert.equal((await second.get('/v2/registrations')).json.length, 1);
    } finally {
      await stopServer(second);
      first.cleanup();
    }
  });
});
