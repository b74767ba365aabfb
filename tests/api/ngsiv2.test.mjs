// NGSIv2 (FIWARE Orion) over HTTP against a real server: entities, attributes,
// batch operations, types and Orion's errors, checked against the responses
// Orion documents for the same requests (status codes, bodies, Location and
// Fiware-Total-Count headers).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { show, startServer, stopServer } from './lib/util.mjs';

let m;

const json = (body, headers = {}) => ({ body, headers });

function assertV2Error(r, status, error, description) {
  assert.equal(r.status, status, show(r));
  assert.equal(r.json?.error, error, show(r));
  assert.equal(typeof r.json?.description, 'string', show(r));
  if (description) assert.equal(r.json.description, description, show(r));
}

const NOT_FOUND = 'The requested entity has not been found. Check type and id';

before(async () => {
  m = await startServer();
});

after(async () => {
  await stopServer(m);
});

describe('entities', () => {
  test('create answers 201 with Orion\'s Location; a second create is 422 Already Exists', async () => {
    const room = {
      id: 'Room1',
      type: 'Room',
      temperature: { value: 23, type: 'Float', metadata: { accuracy: { value: 0.5, type: 'Number' } } },
      pressure: { value: 720, type: 'Integer' },
    };
    const r = await m.post('/v2/entities', room);
    assert.equal(r.status, 201, show(r));
    assert.equal(r.headers.get('location'), '/v2/entities/Room1?type=Room');
    assertV2Error(await m.post('/v2/entities', room), 422, 'Unprocessable', 'Already Exists');
  });

  test('retrieve gives back exactly what was written, in every representation', async () => {
    const r = await m.get('/v2/entities/Room1');
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.json, {
      id: 'Room1',
      type: 'Room',
      temperature: { type: 'Float', value: 23, metadata: { accuracy: { type: 'Number', value: 0.5 } } },
      pressure: { type: 'Integer', value: 720, metadata: {} },
    });
    assert.deepEqual((await m.get('/v2/entities/Room1?options=keyValues')).json,
      { id: 'Room1', type: 'Room', temperature: 23, pressure: 720 });
    assert.deepEqual((await m.get('/v2/entities/Room1?options=values&attrs=pressure,temperature')).json, [720, 23]);
    assert.deepEqual((await m.get('/v2/entities/Room1?attrs=pressure&options=keyValues')).json,
      { id: 'Room1', type: 'Room', pressure: 720 });
    assert.deepEqual((await m.get('/v2/entities/Room1?type=Room&attrs=temperature&metadata=nothing')).json,
      { id: 'Room1', type: 'Room', temperature: { type: 'Float', value: 23, metadata: {} } });
    const dated = await m.get('/v2/entities/Room1?attrs=dateCreated,dateModified&options=keyValues');
    assert.match(dated.json.dateCreated, /^\d{4}-\d\d-\d\dT/);
  });

  test('a missing entity, or one of another type, is 404 NotFound', async () => {
    assertV2Error(await m.get('/v2/entities/Nothing'), 404, 'NotFound', NOT_FOUND);
    assertV2Error(await m.get('/v2/entities/Room1?type=Car'), 404, 'NotFound', NOT_FOUND);
  });

  test('keyValues create, default types, and upsert', async () => {
    let r = await m.post('/v2/entities?options=keyValues', { id: 'Car1', type: 'Car', speed: 40, brand: 'Mazda', ok: true, tags: ['a'] });
    assert.equal(r.status, 201, show(r));
    r = await m.get('/v2/entities/Car1');
    assert.equal(r.json.speed.type, 'Number');
    assert.equal(r.json.brand.type, 'Text');
    assert.equal(r.json.ok.type, 'Boolean');
    assert.equal(r.json.tags.type, 'StructuredValue');
    r = await m.post('/v2/entities?options=upsert', { id: 'Car1', type: 'Car', speed: { value: 50 } });
    assert.equal(r.status, 204, show(r));
    assert.equal((await m.get('/v2/entities/Car1?options=keyValues')).json.speed, 50);
    r = await m.post('/v2/entities?options=upsert,keyValues', { id: 'Car2', type: 'Car', speed: 10 });
    assert.equal(r.status, 201, show(r));
    // without a type the entity is a Thing, as in Orion
    assert.equal((await m.post('/v2/entities', { id: 'Untyped1' })).headers.get('location'), '/v2/entities/Untyped1?type=Thing');
  });

  test('bad input gets Orion\'s errors and changes nothing', async () => {
    for (const id of ['Room 2', 'Room<2', 'Room(2)', 'a;b', "a'b", 'a=b', '']) {
      assertV2Error(await m.post('/v2/entities', { id, type: 'Room' }), 400, 'BadRequest');
    }
    assertV2Error(await m.post('/v2/entities', { id: 'R', type: 'Ro om' }), 400, 'BadRequest');
    assertV2Error(await m.post('/v2/entities', { id: 'R', type: 'Room', 'a b': 1 }, {}), 400, 'BadRequest');
    assertV2Error(await m.post('/v2/entities', { id: 'R', type: 'Room', a: 1 }), 400, 'BadRequest'); // not keyValues
    assertV2Error(await m.post('/v2/entities', { type: 'Room' }), 400, 'BadRequest');
    assertV2Error(await m.post('/v2/entities', '{"id": "R",'), 400, 'ParseError');
    assertV2Error(await m.post('/v2/entities', '<xml/>', { contentType: 'text/xml' }), 415, 'UnsupportedMediaType');
    assertV2Error(await m.post('/v2/entities', { id: 'R', type: 'T', l: { type: 'geo:json', value: { type: 'Point' } } }), 400, 'BadRequest');
    assertV2Error(await m.post('/v2/entities', { id: 'R', type: 'T', l: { type: 'geo:point', value: '95, 10' } }), 400, 'BadRequest');
    assertV2Error(await m.get('/v2/entities?limit=2000'), 400, 'BadRequest');
    assertV2Error(await m.get('/v2/entities?limit=0'), 400, 'BadRequest');
    assertV2Error(await m.get('/v2/entities?offset=-1'), 400, 'BadRequest');
    assertV2Error(await m.get('/v2/entities?q=temperature=1'), 400, 'BadRequest');
    assertV2Error(await m.get('/v2/entities?id=a&idPattern=b'), 400, 'BadRequest');
    assertV2Error(await m.get('/v2/entities?options=nonsense'), 400, 'BadRequest');
    assertV2Error(await m.get('/v2/entities?georel=near&geometry=point&coords=35,139'), 400, 'BadRequest');
    assertV2Error(await m.get('/v2/entities?idPattern=('), 400, 'BadRequest');
    assertV2Error(await m.get(`/v2/entities?q=${encodeURIComponent('a~=(')}`), 400, 'BadRequest');
    assertV2Error(await m.get(`/v2/entities/${encodeURIComponent('E<1')}`), 400, 'BadRequest');
    assertV2Error(await m.get(`/v2/entities/Room1/attrs/${encodeURIComponent('a b')}`), 400, 'BadRequest');
    assert.equal((await m.get('/v2/entities/R')).status, 404);
  });

  test('GET /v2 lists the resources', async () => {
    const r = await m.get('/v2');
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.json, { entities_url: '/v2/entities', types_url: '/v2/types', subscriptions_url: '/v2/subscriptions',
      registrations_url: '/v2/registrations' });
  });

  test('the Fiware-Correlator header is echoed', async () => {
    const r = await m.get('/v2/entities/Room1', { headers: { 'Fiware-Correlator': 'abc-123' } });
    assert.equal(r.headers.get('fiware-correlator'), 'abc-123');
  });

  test('delete', async () => {
    assert.equal((await m.post('/v2/entities?options=keyValues', { id: 'Gone1', type: 'Room', a: 1 })).status, 201);
    assertV2Error(await m.delete('/v2/entities/Gone1?type=Car'), 404, 'NotFound', NOT_FOUND);
    assert.equal((await m.delete('/v2/entities/Gone1')).status, 204);
    assertV2Error(await m.delete('/v2/entities/Gone1'), 404, 'NotFound', NOT_FOUND);
    assertV2Error(await m.get('/v2/entities/Gone1'), 404, 'NotFound', NOT_FOUND);
  });
});

describe('attributes', () => {
  before(async () => {
    await m.post('/v2/entities', {
      id: 'Room9', type: 'Room',
      temperature: { value: 21, type: 'Float', metadata: { unitCode: { value: 'CEL' } } },
      status: { value: 'open' },
    });
  });

  test('GET attrs, one attribute, and its value', async () => {
    assert.deepEqual((await m.get('/v2/entities/Room9/attrs?options=keyValues')).json, { temperature: 21, status: 'open' });
    assert.deepEqual((await m.get('/v2/entities/Room9/attrs/temperature')).json,
      { type: 'Float', value: 21, metadata: { unitCode: { type: 'Text', value: 'CEL' } } });
    const value = await m.get('/v2/entities/Room9/attrs/temperature/value');
    assert.equal(value.status, 200);
    assert.equal(value.text, '21');
    assert.equal((await m.get('/v2/entities/Room9/attrs/status/value')).text, '"open"');
    assertV2Error(await m.get('/v2/entities/Room9/attrs/nothing'), 404, 'NotFound');
    assertV2Error(await m.get('/v2/entities/Nothing/attrs'), 404, 'NotFound', NOT_FOUND);
  });

  test('PUT value (text/plain and JSON) keeps the attribute\'s type and metadata', async () => {
    let r = await m.put('/v2/entities/Room9/attrs/temperature/value', '25.5', { contentType: 'text/plain' });
    assert.equal(r.status, 204, show(r));
    assert.deepEqual((await m.get('/v2/entities/Room9/attrs/temperature')).json,
      { type: 'Float', value: 25.5, metadata: { unitCode: { type: 'Text', value: 'CEL' } } });
    r = await m.put('/v2/entities/Room9/attrs/status/value', { level: 2 });
    assert.equal(r.status, 204, show(r));
    assert.deepEqual((await m.get('/v2/entities/Room9/attrs/status/value')).json, { level: 2 });
    assertV2Error(await m.put('/v2/entities/Room9/attrs/status/value', '3', { contentType: 'application/json' }), 400, 'BadRequest');
  });

  test('PATCH updates existing attributes only (metadata kept); missing ones are 422', async () => {
    let r = await m.patch('/v2/entities/Room9/attrs', { temperature: { value: 19, type: 'Float' } });
    assert.equal(r.status, 204, show(r));
    assert.deepEqual((await m.get('/v2/entities/Room9/attrs/temperature')).json.metadata, { unitCode: { type: 'Text', value: 'CEL' } });
    r = await m.patch('/v2/entities/Room9/attrs?options=overrideMetadata', { temperature: { value: 18, type: 'Float' } });
    assert.deepEqual((await m.get('/v2/entities/Room9/attrs/temperature')).json.metadata, {});
    assertV2Error(await m.patch('/v2/entities/Room9/attrs', { humidity: { value: 40 } }), 422, 'Unprocessable');
    assertV2Error(await m.patch('/v2/entities/Nothing/attrs', { humidity: { value: 40 } }), 404, 'NotFound', NOT_FOUND);
    r = await m.patch('/v2/entities/Room9/attrs?options=keyValues', { temperature: 17 });
    assert.equal(r.status, 204, show(r));
    assert.equal((await m.get('/v2/entities/Room9/attrs/temperature/value')).text, '17');
  });

  test('POST appends (options=append is strict); PUT replaces all; DELETE one', async () => {
    let r = await m.post('/v2/entities/Room9/attrs', { humidity: { value: 40 } });
    assert.equal(r.status, 204, show(r));
    assertV2Error(await m.post('/v2/entities/Room9/attrs?options=append', { humidity: { value: 41 } }), 422, 'Unprocessable');
    assert.equal((await m.get('/v2/entities/Room9/attrs/humidity/value')).text, '40');
    r = await m.put('/v2/entities/Room9/attrs/humidity', { value: 45, type: 'Percent' });
    assert.equal(r.status, 204, show(r));
    assert.deepEqual((await m.get('/v2/entities/Room9/attrs/humidity')).json, { type: 'Percent', value: 45, metadata: {} });
    assertV2Error(await m.put('/v2/entities/Room9/attrs/nothing', { value: 1 }), 404, 'NotFound');
    r = await m.put('/v2/entities/Room9/attrs', { a: { value: 1 }, b: { value: 'x' } });
    assert.equal(r.status, 204, show(r));
    assert.deepEqual((await m.get('/v2/entities/Room9?options=keyValues')).json, { id: 'Room9', type: 'Room', a: 1, b: 'x' });
    assert.equal((await m.delete('/v2/entities/Room9/attrs/a')).status, 204);
    assertV2Error(await m.delete('/v2/entities/Room9/attrs/a'), 404, 'NotFound');
    assert.deepEqual((await m.get('/v2/entities/Room9?options=keyValues')).json, { id: 'Room9', type: 'Room', b: 'x' });
  });
});

describe('queries', () => {
  const shops = [];
  before(async () => {
    // Five shops around Tokyo Station (35.681, 139.767), 0..4 km east.
    for (let i = 1; i <= 5; i++) {
      shops.push({
        id: `Shop${i}`, type: 'Shop',
        temperature: { value: i * 10, metadata: { accuracy: { value: i / 10 } } },
        status: { value: i % 2 ? 'open' : 'closed' },
        name: { value: `shop-${i}` },
        location: { type: 'geo:json', value: { type: 'Point', coordinates: [139.767 + (i - 1) * 0.011, 35.681] } },
      });
    }
    shops[4].status = undefined;
    delete shops[4].status;
    for (const shop of shops) assert.equal((await m.post('/v2/entities', shop)).status, 201);
  });

  const ids = (r) => r.json.map((e) => e.id).sort();
  const q = async (query) => {
    const r = await m.get(`/v2/entities?type=Shop&${query}`);
    assert.equal(r.status, 200, `${query}: ${show(r)}`);
    return ids(r);
  };

  test('the simple query language', async () => {
    assert.deepEqual(await q('q=temperature>25'), ['Shop3', 'Shop4', 'Shop5']);
    assert.deepEqual(await q('q=temperature==20..40'), ['Shop2', 'Shop3', 'Shop4']);
    assert.deepEqual(await q('q=temperature==10,50'), ['Shop1', 'Shop5']);
    assert.deepEqual(await q('q=temperature!=10'), ['Shop2', 'Shop3', 'Shop4', 'Shop5']);
    assert.deepEqual(await q('q=status==open'), ['Shop1', 'Shop3']);
    assert.deepEqual(await q('q=status==open;temperature>=30'), ['Shop3']);
    assert.deepEqual(await q('q=!status'), ['Shop5']);
    assert.deepEqual(await q('q=status'), ['Shop1', 'Shop2', 'Shop3', 'Shop4']);
    assert.deepEqual(await q(`q=${encodeURIComponent('name~=-[12]$')}`), ['Shop1', 'Shop2']);
    assert.deepEqual(await q('q=temperature<=20&mq=temperature.accuracy>0.15'), ['Shop2']);
    assert.deepEqual(await q('idPattern=^Shop[45]'), ['Shop4', 'Shop5']);
    assert.deepEqual(await q('id=Shop1,Shop2'), ['Shop1', 'Shop2']);
    assert.deepEqual(ids(await m.get('/v2/entities?typePattern=^Sh')), ['Shop1', 'Shop2', 'Shop3', 'Shop4', 'Shop5']);
  });

  test('orderBy, limit, offset and the total count', async () => {
    let r = await m.get('/v2/entities?type=Shop&orderBy=!temperature&limit=2&options=count,keyValues&attrs=temperature');
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.json, [{ id: 'Shop5', type: 'Shop', temperature: 50 }, { id: 'Shop4', type: 'Shop', temperature: 40 }]);
    assert.equal(r.headers.get('fiware-total-count'), '5');
    r = await m.get('/v2/entities?type=Shop&orderBy=temperature&limit=2&offset=1&options=keyValues&attrs=temperature');
    assert.deepEqual(r.json.map((e) => e.temperature), [20, 30]);
    r = await m.get('/v2/entities?type=Shop&orderBy=name&options=values&attrs=name');
    assert.deepEqual(r.json, [['shop-1'], ['shop-2'], ['shop-3'], ['shop-4'], ['shop-5']]);
    r = await m.get('/v2/entities?type=Shop&limit=2&options=count');
    assert.equal(r.json.length, 2);
    assert.equal(r.headers.get('fiware-total-count'), '5');
    assert.equal((await m.get('/v2/entities?type=Shop')).headers.get('fiware-total-count'), null);
  });

  test('geographical queries', async () => {
    const near = (max) => q(`georel=near;maxDistance:${max}&geometry=point&coords=35.681,139.767`);
    assert.deepEqual(await near(500), ['Shop1']);
    assert.deepEqual(await near(2100), ['Shop1', 'Shop2', 'Shop3']);
    assert.deepEqual(await q('georel=near;minDistance:2500&geometry=point&coords=35.681,139.767'), ['Shop4', 'Shop5']);
    assert.deepEqual(await q('georel=coveredBy&geometry=box&coords=35.6,139.76;35.7,139.79'), ['Shop1', 'Shop2', 'Shop3']);
    assert.deepEqual(await q('georel=coveredBy&geometry=polygon&coords=35.6,139.77;35.7,139.77;35.7,139.805;35.6,139.805;35.6,139.77'),
      ['Shop2', 'Shop3', 'Shop4']);
    assert.deepEqual(await q('georel=intersects&geometry=polygon&coords=35.6,139.785;35.7,139.785;35.7,139.795;35.6,139.795;35.6,139.785'), ['Shop3']);
    assert.deepEqual(await q('georel=disjoint&geometry=box&coords=35.6,139.76;35.7,139.79'), ['Shop4', 'Shop5']);
    assert.deepEqual(await q('georel=equals&geometry=point&coords=35.681,139.767'), ['Shop1']);
    // nearest first: Orion's orderBy=geo:distance
    const r = await m.get('/v2/entities?type=Shop&georel=near;maxDistance:5000&geometry=point&coords=35.681,139.790&orderBy=geo:distance&attrs=name&options=values');
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.json, [['shop-3'], ['shop-4'], ['shop-2'], ['shop-5'], ['shop-1']]);
    assert.equal((await m.get('/v2/entities?type=Shop&orderBy=geo:distance')).status, 400);
  });

  test('POST /v2/op/query', async () => {
    let r = await m.post('/v2/op/query?options=count,keyValues&orderBy=temperature', {
      entities: [{ idPattern: '.*', type: 'Shop' }],
      attrs: ['temperature'],
      expression: { q: 'temperature>15', mq: 'temperature.accuracy<0.45' },
    });
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.json, [
      { id: 'Shop2', type: 'Shop', temperature: 20 },
      { id: 'Shop3', type: 'Shop', temperature: 30 },
      { id: 'Shop4', type: 'Shop', temperature: 40 },
    ]);
    assert.equal(r.headers.get('fiware-total-count'), '3');
    r = await m.post('/v2/op/query', { entities: [{ id: 'Shop1', type: 'Shop' }, { id: 'Shop5' }], attrs: ['status'] });
    assert.deepEqual(r.json.map((e) => e.id).sort(), ['Shop1', 'Shop5']);
    r = await m.post('/v2/op/query', {
      entities: [{ idPattern: '^Shop' }],
      expression: { georel: 'near;maxDistance:500', geometry: 'point', coords: '35.681,139.767' },
    });
    assert.deepEqual(r.json.map((e) => e.id), ['Shop1']);
    assertV2Error(await m.post('/v2/op/query', { nonsense: 1 }), 400, 'BadRequest');
    assertV2Error(await m.post('/v2/op/query', { expression: { q: '==' } }), 400, 'BadRequest');
  });
});

describe('batch update and types', () => {
  test('/v2/op/update: append, appendStrict, update, replace, delete', async () => {
    const op = (actionType, entities, query = '') => m.post(`/v2/op/update${query}`, { actionType, entities });
    let r = await op('append', [{ id: 'Bus1', type: 'Bus', speed: { value: 30 } }, { id: 'Bus2', type: 'Bus', speed: { value: 0 } }]);
    assert.equal(r.status, 204, show(r));
    assert.equal((await m.get('/v2/entities?type=Bus')).json.length, 2);
    r = await op('append', [{ id: 'Bus1', type: 'Bus', line: 7 }], '?options=keyValues');
    assert.equal(r.status, 204, show(r));
    assert.deepEqual((await m.get('/v2/entities/Bus1?options=keyValues')).json, { id: 'Bus1', type: 'Bus', speed: 30, line: 7 });
    assertV2Error(await op('appendStrict', [{ id: 'Bus1', type: 'Bus', line: { value: 8 } }]), 422, 'Unprocessable');
    r = await op('update', [{ id: 'Bus1', type: 'Bus', speed: { value: 35 } }]);
    assert.equal(r.status, 204, show(r));
    assertV2Error(await op('update', [{ id: 'Bus9', type: 'Bus', speed: { value: 35 } }]), 404, 'NotFound', NOT_FOUND);
    // as in Orion, what exists is updated and what does not is reported
    assertV2Error(await op('update', [{ id: 'Bus1', type: 'Bus', speed: { value: 36 }, wings: { value: 2 } }]), 422,
      'Unprocessable', 'one or more of the attributes in the request do not exist: Bus1 - [ wings ]');
    assert.equal((await m.get('/v2/entities/Bus1/attrs/speed/value')).text, '36');
    r = await op('replace', [{ id: 'Bus1', type: 'Bus', driver: { value: 'Sato' } }]);
    assert.equal(r.status, 204, show(r));
    assert.deepEqual((await m.get('/v2/entities/Bus1?options=keyValues')).json, { id: 'Bus1', type: 'Bus', driver: 'Sato' });
    r = await op('delete', [{ id: 'Bus1', type: 'Bus', driver: {} }]);
    assert.equal(r.status, 204, show(r));
    assert.deepEqual((await m.get('/v2/entities/Bus1?options=keyValues')).json, { id: 'Bus1', type: 'Bus' });
    r = await op('delete', [{ id: 'Bus1', type: 'Bus' }, { id: 'Bus2', type: 'Bus' }]);
    assert.equal(r.status, 204, show(r));
    assert.deepEqual((await m.get('/v2/entities?type=Bus')).json, []);
    assertV2Error(await op('nonsense', [{ id: 'Bus1' }]), 400, 'BadRequest');
    assertV2Error(await m.post('/v2/op/update', { actionType: 'append' }), 400, 'BadRequest');
  });

  test('/v2/types and /v2/types/{type}', async () => {
    assert.equal((await m.post('/v2/entities?options=keyValues', { id: 'Lamp1', type: 'Lamp', on: true, watt: 60 })).status, 201);
    assert.equal((await m.post('/v2/entities', { id: 'Lamp2', type: 'Lamp', watt: { value: '60W', type: 'Text' } })).status, 201);
    let r = await m.get('/v2/types/Lamp');
    assert.equal(r.status, 200, show(r));
    assert.deepEqual(r.json, { attrs: { on: { types: ['Boolean'] }, watt: { types: ['Number', 'Text'] } }, count: 2 });
    r = await m.get('/v2/types?options=count');
    assert.ok(r.json.some((t) => t.type === 'Lamp' && t.count === 2), show(r));
    assert.equal(r.headers.get('fiware-total-count'), String(r.json.length));
    r = await m.get('/v2/types?options=values');
    assert.ok(r.json.includes('Lamp') && r.json.includes('Shop'), show(r));
    assertV2Error(await m.get('/v2/types/Nothing'), 404, 'NotFound');
  });
});
