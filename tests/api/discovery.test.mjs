// Discovery (clauses 5.7.5-5.7.10): /types and /attributes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { enc } from './lib/machi.mjs';
import { assertProblem, assertStatus, createAll, sorted, startServer, stopServer } from './lib/util.mjs';

const VOCAB = 'https://uri.etsi.org/ngsi-ld/default-context/';

let m;
before(async () => {
  m = await startServer();
});
after(async () => {
  await stopServer(m);
});

const sensor = (i) => ({
  id: `urn:ngsi-ld:Sensor:d${i}`,
  type: 'Sensor',
  temperature: { type: 'Property', value: 20 + i },
  location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [139.7, 35.6] } },
});
const shop = (i) => ({
  id: `urn:ngsi-ld:Shop:d${i}`,
  type: 'Shop',
  name: { type: 'Property', value: `店 ${i}` },
  owner: { type: 'Relationship', object: 'urn:ngsi-ld:Person:p1' },
  temperature: { type: 'Property', value: 18 },
});

describe('empty broker', () => {
  test('/types and /attributes are empty lists', async () => {
    const t = await m.get('/types');
    assertStatus(t, 200);
    assert.equal(t.json.type, 'EntityTypeList');
    assert.deepEqual(t.json.typeList, []);
    const a = await m.get('/attributes');
    assertStatus(a, 200);
    assert.equal(a.json.type, 'AttributeList');
    assert.deepEqual(a.json.attributeList, []);
  });
});

describe('with entities', () => {
  before(async () => {
    await createAll(m, [sensor(1), sensor(2), sensor(3), shop(1), shop(2), { id: 'urn:ngsi-ld:Kiosk:k1', type: ['Kiosk', 'Shop'], 名称: { type: 'Property', value: '売店' } }]);
  });

  test('/types lists every type', async () => {
    const r = await m.get('/types');
    assertStatus(r, 200);
    assert.equal(r.json.type, 'EntityTypeList');
    assert.match(r.json.id, /^urn:/);
    assert.deepEqual(sorted(r.json.typeList), ['Kiosk', 'Sensor', 'Shop']);
  });

  test('/types?details=true gives EntityType objects with attribute names', async () => {
    const r = await m.get('/types?details=true');
    assertStatus(r, 200);
    assert.ok(Array.isArray(r.json));
    const byName = Object.fromEntries(r.json.map((t) => [t.typeName, t]));
    assert.deepEqual(sorted(Object.keys(byName)), ['Kiosk', 'Sensor', 'Shop']);
    assert.equal(byName.Sensor.type, 'EntityType');
    assert.equal(byName.Sensor.id, `${VOCAB}Sensor`);
    assert.deepEqual(sorted(byName.Sensor.attributeNames), ['location', 'temperature']);
    assert.deepEqual(sorted(byName.Shop.attributeNames), sorted(['name', 'owner', 'temperature', '名称']));
  });

  test('/types/{type} gives entityCount and attributeDetails', async () => {
    const r = await m.get('/types/Sensor');
    assertStatus(r, 200);
    assert.equal(r.json.type, 'EntityTypeInfo');
    assert.equal(r.json.typeName, 'Sensor');
    assert.equal(r.json.id, `${VOCAB}Sensor`);
    assert.equal(r.json.entityCount, 3);
    const details = Object.fromEntries(r.json.attributeDetails.map((d) => [d.attributeName, d]));
    assert.deepEqual(sorted(Object.keys(details)), ['location', 'temperature']);
    assert.equal(details.temperature.type, 'Attribute');
    assert.deepEqual(details.temperature.attributeTypes, ['Property']);
    assert.deepEqual(details.location.attributeTypes, ['GeoProperty']);
    const shops = await m.get('/types/Shop');
    assertStatus(shops, 200);
    assert.equal(shops.json.entityCount, 3, 'two shops and the kiosk that is also a Shop');
  });

  test('/types/{type} by full IRI', async () => {
    const r = await m.get(`/types/${enc(`${VOCAB}Sensor`)}`);
    assertStatus(r, 200);
    assert.equal(r.json.entityCount, 3);
  });

  test('/attributes lists every attribute', async () => {
    const r = await m.get('/attributes');
    assertStatus(r, 200);
    assert.equal(r.json.type, 'AttributeList');
    assert.deepEqual(sorted(r.json.attributeList), sorted(['location', 'name', 'owner', 'temperature', '名称']));
  });

  test('/attributes?details=true gives Attribute objects with type names', async () => {
    const r = await m.get('/attributes?details=true');
    assertStatus(r, 200);
    const byName = Object.fromEntries(r.json.map((a) => [a.attributeName, a]));
    assert.deepEqual(sorted(Object.keys(byName)), sorted(['location', 'name', 'owner', 'temperature', '名称']));
    assert.equal(byName.temperature.type, 'Attribute');
    assert.equal(byName.temperature.id, `${VOCAB}temperature`);
    assert.deepEqual(sorted(byName.temperature.typeNames), ['Sensor', 'Shop']);
    assert.deepEqual(sorted(byName.名称.typeNames), ['Kiosk', 'Shop']);
  });

  test('/attributes/{attr} gives the count, attribute types and type names', async () => {
    const r = await m.get('/attributes/temperature');
    assertStatus(r, 200);
    assert.equal(r.json.type, 'Attribute');
    assert.equal(r.json.attributeName, 'temperature');
    assert.equal(r.json.attributeCount, 5);
    assert.deepEqual(r.json.attributeTypes, ['Property']);
    assert.deepEqual(sorted(r.json.typeNames), ['Sensor', 'Shop']);
    const owner = await m.get('/attributes/owner');
    assertStatus(owner, 200);
    assert.deepEqual(owner.json.attributeTypes, ['Relationship']);
    assert.equal(owner.json.attributeCount, 2);
    const jp = await m.get(`/attributes/${enc('名称')}`);
    assertStatus(jp, 200);
    assert.equal(jp.json.attributeName, '名称');
  });

  test('unknown type or attribute answers 404', async () => {
    assertProblem(await m.get('/types/Nothing'), 404, 'ResourceNotFound');
    assertProblem(await m.get('/attributes/nothing'), 404, 'ResourceNotFound');
  });

  test('counts follow deletes and updates', async () => {
    assertStatus(await m.delete(`/entities/${enc('urn:ngsi-ld:Sensor:d3')}`), 204);
    const r = await m.get('/types/Sensor');
    assert.equal(r.json.entityCount, 2);
    assertStatus(await m.delete(`/entities/${enc('urn:ngsi-ld:Shop:d1')}/attrs/owner`), 204);
    assertStatus(await m.delete(`/entities/${enc('urn:ngsi-ld:Shop:d2')}/attrs/owner`), 204);
    assertProblem(await m.get('/attributes/owner'), 404, 'ResourceNotFound');
    assert.ok(!(await m.get('/attributes')).json.attributeList.includes('owner'));
    assertStatus(await m.post(`/entities/${enc('urn:ngsi-ld:Sensor:d1')}/attrs`, { owner: { type: 'Relationship', object: 'urn:ngsi-ld:Person:p2' } }), 204);
    const o = await m.get('/attributes/owner');
    assertStatus(o, 200);
    assert.deepEqual(o.json.typeNames, ['Sensor']);
    assert.equal(o.json.attributeCount, 1);
    assertStatus(await m.delete(`/entities/${enc('urn:ngsi-ld:Kiosk:k1')}`), 204);
    assert.deepEqual(sorted((await m.get('/types')).json.typeList), ['Sensor', 'Shop']);
  });
});
