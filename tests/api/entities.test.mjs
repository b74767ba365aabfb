// Single-entity operations (ETSI GS CIM 009 V1.8 clauses 5.6 and 5.7.1):
// create, retrieve in every representation, update in every way, delete.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { CORE_CONTEXT, enc } from './lib/machi.mjs';
import { assertProblem, assertStatus, show, sorted, startServer, stopServer, uniq } from './lib/util.mjs';

let m;
before(async () => {
  m = await startServer();
});
after(async () => {
  await stopServer(m);
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A value in the simplified representation: the bare value, or (for the
// kinds the spec wraps) {"<member>": value}.
function unwrap(v, member) {
  if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && member in v) return v[member];
  return v;
}

// An entity with every attribute kind.
function cityHall(id) {
  return {
    id,
    type: 'Building',
    name: { type: 'Property', value: 'デモ市役所' },
    floors: {
      type: 'Property',
      value: 12,
      unitCode: 'C62',
      observedAt: '2026-01-02T03:04:05.000Z',
      accuracy: { type: 'Property', value: 0.5 },
    },
    owner: { type: 'Relationship', object: 'urn:ngsi-ld:Organization:tokyo' },
    location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [139.6917, 35.6895] } },
    label: { type: 'LanguageProperty', languageMap: { ja: '市役所', en: 'City Hall' } },
    category: { type: 'VocabProperty', vocab: 'civic' },
    config: { type: 'JsonProperty', json: { a: [1, 2, { b: null }], c: 'x', ネスト: { 深い: true } } },
    tags: { type: 'ListProperty', valueList: [1, 'two', 3.5, true] },
    address: { type: 'Property', value: { streetAddress: '西新宿2-8-1', postalCode: '163-8001', addressLocality: '新宿区' } },
    名前: { type: 'Property', value: '東京都庁', description: { type: 'Property', value: '第一本庁舎' } },
  };
}

async function get(id, query = '', options) {
  const r = await m.get(`/entities/${enc(id)}${query ? `?${query}` : ''}`, options);
  return r;
}

async function getOk(id, query = '', options) {
  const r = await get(id, query, options);
  assertStatus(r, 200, `GET ${id}?${query}`);
  return r.json;
}

describe('create', () => {
  test('POST /entities answers 201 with a Location that leads to the entity', async () => {
    const id = `urn:ngsi-ld:Building:${uniq()}`;
    const r = await m.post('/entities', cityHall(id));
    assertStatus(r, 201, 'create');
    const location = r.headers.get('location');
    assert.ok(location, 'no Location header');
    const followed = await fetch(new URL(location, m.base), { headers: await m.authHeaders() });
    assert.equal(followed.status, 200, `GET Location ${location}`);
    assert.equal((await followed.json()).id, id);
  });

  test('creating an existing id answers 409 AlreadyExists and keeps the first entity', async () => {
    const id = `urn:ngsi-ld:Building:${uniq()}`;
    assertStatus(await m.post('/entities', cityHall(id)), 201);
    const again = { id, type: 'Building', name: { type: 'Property', value: 'other' } };
    assertProblem(await m.post('/entities', again), 409, 'AlreadyExists');
    const e = await getOk(id);
    assert.equal(e.name.value, 'デモ市役所');
    assert.equal(e.floors.value, 12);
  });

  const invalid = [
    ['missing id', { type: 'T', p: { type: 'Property', value: 1 } }],
    ['missing type', { id: 'urn:ngsi-ld:T:missing-type', p: { type: 'Property', value: 1 } }],
    ['id that is not a URI', { id: 'not a uri', type: 'T' }],
    ['id that is a number', { id: 42, type: 'T' }],
    ['empty type', { id: 'urn:ngsi-ld:T:empty-type', type: '' }],
    ['Property without value', { id: 'urn:ngsi-ld:T:no-value', type: 'T', p: { type: 'Property' } }],
    ['Relationship without object', { id: 'urn:ngsi-ld:T:no-object', type: 'T', r: { type: 'Relationship' } }],
    ['Relationship object that is not a URI', { id: 'urn:ngsi-ld:T:bad-object', type: 'T', r: { type: 'Relationship', object: 'no uri here' } }],
    ['unknown attribute type', { id: 'urn:ngsi-ld:T:bad-kind', type: 'T', p: { type: 'Proprety', value: 1 } }],
    ['attribute name with forbidden characters', { id: 'urn:ngsi-ld:T:bad-name', type: 'T', 'a<b': { type: 'Property', value: 1 } }],
    ['LanguageProperty without languageMap', { id: 'urn:ngsi-ld:T:no-map', type: 'T', l: { type: 'LanguageProperty', value: 'x' } }],
    ['LanguageProperty with a non-string text', { id: 'urn:ngsi-ld:T:bad-map', type: 'T', l: { type: 'LanguageProperty', languageMap: { en: 5 } } }],
    ['Point out of range', { id: 'urn:ngsi-ld:T:geo1', type: 'T', location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [200, 100] } } }],
    ['Point with one coordinate', { id: 'urn:ngsi-ld:T:geo2', type: 'T', location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [139] } } }],
    ['Polygon with an open ring', { id: 'urn:ngsi-ld:T:geo3', type: 'T', location: { type: 'GeoProperty', value: { type: 'Polygon', coordinates: [[[139, 35], [140, 35], [140, 36], [139, 36]]] } } }],
    ['unknown geometry type', { id: 'urn:ngsi-ld:T:geo4', type: 'T', location: { type: 'GeoProperty', value: { type: 'Circle', coordinates: [139, 35], radius: 5 } } }],
    ['GeoProperty with a string value', { id: 'urn:ngsi-ld:T:geo5', type: 'T', location: { type: 'GeoProperty', value: 'Tokyo' } }],
    ['sub-property without value', { id: 'urn:ngsi-ld:T:bad-sub', type: 'T', p: { type: 'Property', value: 1, q: { type: 'Property' } } }],
    ['observedAt that is not a date-time', { id: 'urn:ngsi-ld:T:bad-time', type: 'T', p: { type: 'Property', value: 1, observedAt: 'yesterday' } }],
    ['body that is an array', [{ id: 'urn:ngsi-ld:T:array', type: 'T' }]],
  ];
  for (const [what, body] of invalid) {
    test(`400 BadRequestData for ${what}, nothing created`, async () => {
      const r = await m.post('/entities', body);
      assertProblem(r, 400, ['BadRequestData', 'InvalidRequest']);
      const id = Array.isArray(body) ? body[0].id : body.id;
      if (typeof id === 'string' && id.startsWith('urn:')) assertProblem(await get(id), 404, 'ResourceNotFound');
    });
  }

  test('the concise representation is accepted on create', async () => {
    const id = `urn:ngsi-ld:Building:${uniq()}`;
    const body = {
      id,
      type: 'Building',
      name: 'コンサイス',
      count: 5,
      height: { value: 30.5, unitCode: 'MTR' },
      owner: { object: 'urn:ngsi-ld:Organization:o1' },
      label: { languageMap: { ja: 'ラベル', en: 'label' } },
      location: { type: 'Point', coordinates: [139.7, 35.6] },
    };
    assertStatus(await m.post('/entities', body), 201);
    const e = await getOk(id);
    assert.deepEqual(e.name, { type: 'Property', value: 'コンサイス' });
    assert.deepEqual(e.count, { type: 'Property', value: 5 });
    assert.deepEqual(e.height, { type: 'Property', value: 30.5, unitCode: 'MTR' });
    assert.deepEqual(e.owner, { type: 'Relationship', object: 'urn:ngsi-ld:Organization:o1' });
    assert.deepEqual(e.label, { type: 'LanguageProperty', languageMap: { ja: 'ラベル', en: 'label' } });
    assert.deepEqual(e.location, { type: 'GeoProperty', value: { type: 'Point', coordinates: [139.7, 35.6] } });
  });
});

describe('retrieve', () => {
  const id = `urn:ngsi-ld:Building:retrieve-${Date.now()}`;
  let original;
  before(async () => {
    original = cityHall(id);
    assertStatus(await m.post('/entities', original), 201, 'create');
  });

  test('normalized by default: every attribute kind round-trips unchanged', async () => {
    const r = await get(id);
    assertStatus(r, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(r.json, original);
  });

  test('the answer names its context in a Link header', async () => {
    const r = await get(id);
    const link = r.headers.get('link') ?? '';
    assert.match(link, /rel="?http:\/\/www\.w3\.org\/ns\/json-ld#context"?/, `Link: ${link}`);
    assert.ok(link.includes(CORE_CONTEXT), `Link should name the core context: ${link}`);
  });

  test('Japanese text is unchanged (UTF-8 both ways)', async () => {
    const r = await get(id);
    assert.ok(r.text.includes('デモ市役所'), 'raw UTF-8 text expected in the body');
    assert.equal(r.json.name.value, 'デモ市役所');
    assert.equal(r.json.名前.value, '東京都庁');
    assert.equal(r.json.名前.description.value, '第一本庁舎');
    assert.equal(r.json.address.value.addressLocality, '新宿区');
    assert.deepEqual(r.json.config.json.ネスト, { 深い: true });
  });

  for (const query of ['options=keyValues', 'format=simplified', 'options=simplified']) {
    test(`${query} gives the simplified representation`, async () => {
      const e = await getOk(id, query);
      assert.equal(e.id, id);
      assert.equal(e.type, 'Building');
      assert.equal(e.name, 'デモ市役所');
      assert.equal(e.floors, 12);
      assert.equal(e.owner, 'urn:ngsi-ld:Organization:tokyo');
      assert.deepEqual(e.location, original.location.value);
      assert.deepEqual(e.address, original.address.value);
      assert.deepEqual(unwrap(e.label, 'languageMap'), original.label.languageMap);
      assert.equal(unwrap(e.category, 'vocab'), 'civic');
      assert.deepEqual(unwrap(e.config, 'json'), original.config.json);
      assert.deepEqual(unwrap(e.tags, 'valueList'), original.tags.valueList);
      assert.equal(e.名前, '東京都庁');
    });
  }

  for (const query of ['options=concise', 'format=concise']) {
    test(`${query} gives the concise representation`, async () => {
      const e = await getOk(id, query);
      assert.equal(e.id, id);
      assert.equal(e.type, 'Building');
      assert.equal(e.name, 'デモ市役所');
      assert.equal(e.floors.value, 12);
      assert.equal(e.floors.unitCode, 'C62');
      assert.equal(e.floors.observedAt, '2026-01-02T03:04:05.000Z');
      assert.equal(unwrap(e.floors.accuracy, 'value'), 0.5);
      assert.equal(e.floors.type, undefined, 'no "type" member in concise Properties');
      assert.deepEqual(e.owner, { object: 'urn:ngsi-ld:Organization:tokyo' });
      assert.deepEqual(e.label, { languageMap: original.label.languageMap });
      assert.deepEqual(unwrap(e.location, 'value'), original.location.value);
      // a JSON object value keeps its "value" wrapper, or it would read as sub-attributes
      assert.deepEqual(e.address, { value: original.address.value });
    });
  }

  test('format=normalized wins over options=keyValues', async () => {
    const e = await getOk(id, 'options=keyValues&format=normalized');
    assert.deepEqual(e, original);
  });

  test('an unknown format answers 400', async () => {
    assertProblem(await get(id, 'format=fancy'), 400, ['BadRequestData', 'InvalidRequest']);
  });

  test('attrs= keeps only the named attributes', async () => {
    const e = await getOk(id, 'attrs=name,floors');
    assert.deepEqual(sorted(Object.keys(e)), sorted(['id', 'type', 'name', 'floors']));
    assert.deepEqual(e.floors, original.floors);
    const kv = await getOk(id, `attrs=${enc('名前')}&options=keyValues`);
    assert.deepEqual(kv, { id, type: 'Building', 名前: '東京都庁' });
  });

  test('options=sysAttrs adds createdAt and modifiedAt to the entity and its attributes', async () => {
    const e = await getOk(id, 'options=sysAttrs');
    for (const [where, o] of [['entity', e], ['name', e.name], ['floors', e.floors]]) {
      assert.equal(typeof o.createdAt, 'string', `${where}.createdAt`);
      assert.equal(typeof o.modifiedAt, 'string', `${where}.modifiedAt`);
      assert.ok(!Number.isNaN(Date.parse(o.createdAt)), `${where}.createdAt ${o.createdAt}`);
      assert.ok(Date.parse(o.modifiedAt) >= Date.parse(o.createdAt), `${where} modified before created`);
      assert.ok(Math.abs(Date.parse(o.createdAt) - Date.now()) < 10 * 60 * 1000, `${where}.createdAt is not now`);
    }
    const plain = await getOk(id);
    assert.equal(plain.createdAt, undefined, 'no createdAt without sysAttrs');
    assert.equal(plain.name.createdAt, undefined, 'no attribute createdAt without sysAttrs');
  });

  test('Accept: application/geo+json answers a GeoJSON Feature', async () => {
    const r = await get(id, '', { headers: { Accept: 'application/geo+json' } });
    assertStatus(r, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/geo\+json/);
    const f = r.json;
    assert.equal(f.type, 'Feature');
    assert.equal(f.id, id);
    assert.deepEqual(f.geometry, original.location.value);
    assert.equal(typeof f.properties, 'object');
    assert.equal(f.properties.type, 'Building');
    const n = f.properties.name;
    assert.equal(n && typeof n === 'object' ? n.value : n, 'デモ市役所');
  });

  test('Accept with several types picks a supported one', async () => {
    const r = await get(id, '', { headers: { Accept: 'text/html, application/json;q=0.9' } });
    assertStatus(r, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  });

  test('Accept: text/html answers 406', async () => {
    assertProblem(await get(id, '', { headers: { Accept: 'text/html' } }), 406, 'InvalidRequest');
  });

  test('an unknown id answers 404 ResourceNotFound', async () => {
    assertProblem(await get('urn:ngsi-ld:Building:does-not-exist'), 404, 'ResourceNotFound');
  });

  test('type= that does not match the entity answers 404', async () => {
    assertStatus(await get(id, 'type=Building'), 200);
    assertProblem(await get(id, 'type=Shop'), 404, 'ResourceNotFound');
  });

  test('an entity with several types keeps them all', async () => {
    const multi = `urn:ngsi-ld:Building:${uniq()}`;
    assertStatus(await m.post('/entities', { id: multi, type: ['Building', 'Landmark'] }), 201);
    const e = await getOk(multi);
    assert.deepEqual(sorted([].concat(e.type)), ['Building', 'Landmark']);
  });
});

describe('delete', () => {
  test('DELETE answers 204, then the entity is gone (404 on GET and on DELETE)', async () => {
    const id = `urn:ngsi-ld:Building:${uniq()}`;
    assertStatus(await m.post('/entities', cityHall(id)), 201);
    assertStatus(await m.delete(`/entities/${enc(id)}`), 204, 'delete');
    assertProblem(await get(id), 404, 'ResourceNotFound');
    assertProblem(await m.delete(`/entities/${enc(id)}`), 404, 'ResourceNotFound');
    // the id can be used again
    assertStatus(await m.post('/entities', { id, type: 'Other' }), 201, 'create again');
    assert.deepEqual(await getOk(id), { id, type: 'Other' });
  });
});

describe('attribute updates', () => {
  let id;
  before(() => {
    id = `urn:ngsi-ld:Building:${uniq()}`;
  });
  const fresh = async () => {
    id = `urn:ngsi-ld:Building:${uniq()}`;
    assertStatus(await m.post('/entities', cityHall(id)), 201, 'create');
    return id;
  };

  test('POST /attrs appends new attributes and overwrites existing ones (204)', async () => {
    await fresh();
    const r = await m.post(`/entities/${enc(id)}/attrs`, {
      height: { type: 'Property', value: 243, unitCode: 'MTR' },
      name: { type: 'Property', value: '新しい名前' },
    });
    assertStatus(r, 204, 'append');
    const e = await getOk(id);
    assert.deepEqual(e.height, { type: 'Property', value: 243, unitCode: 'MTR' });
    assert.deepEqual(e.name, { type: 'Property', value: '新しい名前' });
    assert.deepEqual(e.floors, cityHall(id).floors, 'untouched attributes stay');
  });

  test('POST /attrs?options=noOverwrite keeps existing attributes and answers 207 notUpdated', async () => {
    await fresh();
    const r = await m.post(`/entities/${enc(id)}/attrs?options=noOverwrite`, {
      height: { type: 'Property', value: 243 },
      name: { type: 'Property', value: 'overwritten?' },
    });
    assertStatus(r, 207, 'append noOverwrite');
    assert.ok(Array.isArray(r.json.notUpdated), `notUpdated missing: ${show(r)}`);
    assert.deepEqual(r.json.notUpdated.map((n) => n.attributeName), ['name']);
    assert.deepEqual(r.json.updated, ['height']);
    const e = await getOk(id);
    assert.equal(e.name.value, 'デモ市役所');
    assert.equal(e.height.value, 243);
  });

  test('POST /attrs on a missing entity answers 404', async () => {
    const r = await m.post(`/entities/${enc('urn:ngsi-ld:Building:nope')}/attrs`, { a: { type: 'Property', value: 1 } });
    assertProblem(r, 404, 'ResourceNotFound');
  });

  test('POST /attrs with an invalid attribute answers 400 and changes nothing', async () => {
    await fresh();
    const before = await getOk(id, 'options=sysAttrs');
    const r = await m.post(`/entities/${enc(id)}/attrs`, {
      height: { type: 'Property', value: 1 },
      broken: { type: 'Property' },
    });
    assertProblem(r, 400, ['BadRequestData', 'InvalidRequest']);
    assert.deepEqual(await getOk(id, 'options=sysAttrs'), before);
  });

  test('PATCH /attrs updates existing attributes (204)', async () => {
    await fresh();
    const r = await m.patch(`/entities/${enc(id)}/attrs`, {
      floors: { type: 'Property', value: 13 },
      owner: { type: 'Relationship', object: 'urn:ngsi-ld:Organization:osaka' },
    });
    assertStatus(r, 204, 'update');
    const e = await getOk(id);
    assert.equal(e.floors.value, 13);
    assert.equal(e.owner.object, 'urn:ngsi-ld:Organization:osaka');
    assert.equal(e.name.value, 'デモ市役所');
  });

  test('PATCH /attrs with a missing attribute answers 207 and does not add it', async () => {
    await fresh();
    const r = await m.patch(`/entities/${enc(id)}/attrs`, {
      floors: { type: 'Property', value: 14 },
      missing: { type: 'Property', value: 'x' },
    });
    assertStatus(r, 207, 'update');
    assert.deepEqual(r.json.notUpdated.map((n) => n.attributeName), ['missing']);
    assert.equal(typeof r.json.notUpdated[0].reason, 'string');
    assert.deepEqual(r.json.updated, ['floors']);
    const e = await getOk(id);
    assert.equal(e.floors.value, 14);
    assert.equal(e.missing, undefined);
  });

  test('PATCH /attrs/{attr} changes the value and keeps sub-properties', async () => {
    await fresh();
    const r = await m.patch(`/entities/${enc(id)}/attrs/floors`, { value: 15 });
    assertStatus(r, 204, 'partial attribute update');
    const e = await getOk(id);
    assert.equal(e.floors.type, 'Property');
    assert.equal(e.floors.value, 15);
    assert.equal(e.floors.unitCode, 'C62');
    assert.deepEqual(e.floors.accuracy, { type: 'Property', value: 0.5 });
    // a sub-property alone
    assertStatus(await m.patch(`/entities/${enc(id)}/attrs/floors`, { accuracy: { type: 'Property', value: 0.1 } }), 204);
    const e2 = await getOk(id);
    assert.equal(e2.floors.value, 15);
    assert.equal(e2.floors.accuracy.value, 0.1);
  });

  test('PATCH /attrs/{attr} of a Japanese-named attribute', async () => {
    await fresh();
    assertStatus(await m.patch(`/entities/${enc(id)}/attrs/${enc('名前')}`, { value: '新宿' }), 204);
    const e = await getOk(id);
    assert.equal(e.名前.value, '新宿');
    assert.equal(e.名前.description.value, '第一本庁舎');
  });

  test('PATCH /attrs/{attr} of a missing attribute answers 404', async () => {
    await fresh();
    assertProblem(await m.patch(`/entities/${enc(id)}/attrs/nothing`, { value: 1 }), 404, 'ResourceNotFound');
    assert.equal((await getOk(id)).nothing, undefined);
  });

  test('PUT /attrs/{attr} replaces the whole attribute', async () => {
    await fresh();
    assertStatus(await m.put(`/entities/${enc(id)}/attrs/floors`, { type: 'Property', value: 20 }), 204);
    const e = await getOk(id);
    assert.deepEqual(e.floors, { type: 'Property', value: 20 });
    assertProblem(await m.put(`/entities/${enc(id)}/attrs/nothing`, { type: 'Property', value: 1 }), 404, 'ResourceNotFound');
  });

  test('PATCH /entities/{id} merges: adds, merges, "urn:ngsi-ld:null" deletes', async () => {
    await fresh();
    const r = await m.patch(`/entities/${enc(id)}`, {
      floors: { type: 'Property', value: 16 },
      added: { type: 'Property', value: 'あ' },
      label: 'urn:ngsi-ld:null',
    });
    assertStatus(r, 204, 'merge');
    const e = await getOk(id);
    assert.equal(e.floors.value, 16);
    assert.equal(e.floors.unitCode, 'C62', 'merge keeps unitCode');
    assert.deepEqual(e.floors.accuracy, { type: 'Property', value: 0.5 }, 'merge keeps sub-properties');
    assert.deepEqual(e.added, { type: 'Property', value: 'あ' });
    assert.equal(e.label, undefined, 'urn:ngsi-ld:null deletes');
    assert.equal(e.name.value, 'デモ市役所');
  });

  test('PATCH /entities/{id} with urn:ngsi-ld:null on a sub-property deletes it only', async () => {
    await fresh();
    assertStatus(await m.patch(`/entities/${enc(id)}`, { floors: { accuracy: 'urn:ngsi-ld:null' } }), 204);
    const e = await getOk(id);
    assert.equal(e.floors.value, 12);
    assert.equal(e.floors.accuracy, undefined);
  });

  test('PATCH /entities/{id} accepts application/merge-patch+json', async () => {
    await fresh();
    const r = await m.patch(`/entities/${enc(id)}`, { floors: { value: 17 } }, { contentType: 'application/merge-patch+json' });
    assertStatus(r, 204);
    assert.equal((await getOk(id)).floors.value, 17);
  });

  test('PATCH /entities/{id} of a missing entity answers 404', async () => {
    assertProblem(await m.patch(`/entities/${enc('urn:ngsi-ld:X:none')}`, { a: { type: 'Property', value: 1 } }), 404, 'ResourceNotFound');
  });

  test('DELETE /attrs/{attr} removes the attribute; 404 when missing', async () => {
    await fresh();
    assertStatus(await m.delete(`/entities/${enc(id)}/attrs/owner`), 204);
    const e = await getOk(id);
    assert.equal(e.owner, undefined);
    assert.equal(e.name.value, 'デモ市役所');
    assertProblem(await m.delete(`/entities/${enc(id)}/attrs/owner`), 404, 'ResourceNotFound');
  });

  test('PUT /entities/{id} replaces the entity and keeps createdAt', async () => {
    await fresh();
    const before = await getOk(id, 'options=sysAttrs');
    await sleep(5);
    const r = await m.put(`/entities/${enc(id)}`, { id, type: 'Building', height: { type: 'Property', value: 99 } });
    assertStatus(r, 204, 'replace');
    const e = await getOk(id, 'options=sysAttrs');
    assert.deepEqual(sorted(Object.keys(e)), sorted(['id', 'type', 'height', 'createdAt', 'modifiedAt']));
    assert.equal(e.height.value, 99);
    assert.equal(e.createdAt, before.createdAt);
    assert.ok(Date.parse(e.modifiedAt) > Date.parse(before.modifiedAt), 'modifiedAt moves on');
  });

  test('PUT /entities/{id} with another id in the body answers 400', async () => {
    await fresh();
    const r = await m.put(`/entities/${enc(id)}`, { id: 'urn:ngsi-ld:Building:other', type: 'Building' });
    assertProblem(r, 400, ['BadRequestData', 'InvalidRequest']);
    assert.equal((await getOk(id)).name.value, 'デモ市役所');
  });

  test('an update moves modifiedAt and keeps createdAt', async () => {
    await fresh();
    const before = await getOk(id, 'options=sysAttrs');
    await sleep(5);
    assertStatus(await m.patch(`/entities/${enc(id)}/attrs/floors`, { value: 30 }), 204);
    const e = await getOk(id, 'options=sysAttrs');
    assert.equal(e.createdAt, before.createdAt);
    assert.equal(e.floors.createdAt, before.floors.createdAt);
    assert.ok(Date.parse(e.floors.modifiedAt) > Date.parse(before.floors.modifiedAt), 'attribute modifiedAt');
    assert.ok(Date.parse(e.modifiedAt) > Date.parse(before.modifiedAt), 'entity modifiedAt');
    assert.equal(e.name.modifiedAt, before.name.modifiedAt, 'other attributes keep modifiedAt');
  });
});

describe('datasetId: several instances of one attribute', () => {
  const byDataset = (list) => [...[].concat(list)].sort((a, b) => (a.datasetId ?? '').localeCompare(b.datasetId ?? ''));
  const speed = [
    { type: 'Property', value: 50 },
    { type: 'Property', value: 55, datasetId: 'urn:ngsi-ld:Dataset:gps' },
    { type: 'Property', value: 48, datasetId: 'urn:ngsi-ld:Dataset:radar' },
  ];
  const create = async () => {
    const id = `urn:ngsi-ld:Car:${uniq()}`;
    assertStatus(await m.post('/entities', { id, type: 'Car', speed }), 201);
    return id;
  };

  test('all instances round-trip', async () => {
    const id = await create();
    const e = await getOk(id);
    assert.ok(Array.isArray(e.speed), `speed should be an array: ${JSON.stringify(e.speed)}`);
    assert.deepEqual(byDataset(e.speed), byDataset(speed));
  });

  test('DELETE ?datasetId= removes that instance only', async () => {
    const id = await create();
    assertStatus(await m.delete(`/entities/${enc(id)}/attrs/speed?datasetId=${enc('urn:ngsi-ld:Dataset:gps')}`), 204);
    const e = await getOk(id);
    assert.deepEqual(byDataset(e.speed), byDataset([speed[0], speed[2]]));
    assertProblem(await m.delete(`/entities/${enc(id)}/attrs/speed?datasetId=${enc('urn:ngsi-ld:Dataset:gps')}`), 404, 'ResourceNotFound');
  });

  test('DELETE without datasetId removes the default instance only', async () => {
    const id = await create();
    assertStatus(await m.delete(`/entities/${enc(id)}/attrs/speed`), 204);
    const e = await getOk(id);
    assert.deepEqual(byDataset(e.speed), byDataset([speed[1], speed[2]]));
  });

  test('DELETE ?deleteAll=true removes every instance', async () => {
    const id = await create();
    assertStatus(await m.delete(`/entities/${enc(id)}/attrs/speed?deleteAll=true`), 204);
    assert.equal((await getOk(id)).speed, undefined);
  });

  test('PATCH /attrs/{attr} with a datasetId updates that instance only', async () => {
    const id = await create();
    assertStatus(await m.patch(`/entities/${enc(id)}/attrs/speed`, { value: 60, datasetId: 'urn:ngsi-ld:Dataset:radar' }), 204);
    const e = await getOk(id);
    assert.deepEqual(
      byDataset(e.speed).map((s) => s.value),
      [50, 55, 60],
    );
  });

  test('POST /attrs adds a new instance next to the others', async () => {
    const id = await create();
    const extra = { type: 'Property', value: 52, datasetId: 'urn:ngsi-ld:Dataset:camera' };
    assertStatus(await m.post(`/entities/${enc(id)}/attrs`, { speed: extra }), 204);
    const e = await getOk(id);
    assert.deepEqual(byDataset(e.speed), byDataset([...speed, extra]));
  });
});

describe('LanguageProperty', () => {
  test('lang= selects one language in the simplified representation', async () => {
    const id = `urn:ngsi-ld:Building:${uniq()}`;
    const label = { type: 'LanguageProperty', languageMap: { ja: '市役所', en: 'City Hall' } };
    assertStatus(await m.post('/entities', { id, type: 'Building', label }), 201);
    assert.equal((await getOk(id, 'options=keyValues&lang=ja')).label, '市役所');
    assert.equal((await getOk(id, 'options=keyValues&lang=en')).label, 'City Hall');
    const normalized = await getOk(id, 'lang=ja');
    const text = normalized.label.value ?? normalized.label.languageMap?.ja;
    assert.equal(text, '市役所');
  });
});

describe('ids that need percent-encoding in the path', () => {
  const ids = [
    'urn:ngsi-ld:Thing:a/b',
    'urn:ngsi-ld:Thing:c#d',
    'urn:ngsi-ld:Thing:e?f=g&h',
    'urn:ngsi-ld:Thing:i%20j',
    'urn:ngsi-ld:Thing:k+l;m,n',
    'urn:ngsi-ld:Thing:%E3%83%87%E3%83%A2',
    'https://example.org/things/1?x=y',
  ];
  for (const id of ids) {
    test(`create, read, update, delete ${id}`, async () => {
      assertStatus(await m.post('/entities', { id, type: 'Thing', n: { type: 'Property', value: 1 } }), 201, 'create');
      const e = await getOk(id);
      assert.equal(e.id, id);
      assertStatus(await m.patch(`/entities/${enc(id)}/attrs/n`, { value: 2 }), 204, 'patch');
      assert.equal((await getOk(id)).n.value, 2);
      if (!id.includes(',')) {
        const list = await m.get(`/entities?id=${enc(id)}&type=Thing`);
        assertStatus(list, 200);
        assert.deepEqual(list.json.map((x) => x.id), [id]);
      }
      assertStatus(await m.delete(`/entities/${enc(id)}`), 204, 'delete');
      assertProblem(await get(id), 404, 'ResourceNotFound');
    });

    test(`the Location of ${id} is a URL for it`, async () => {
      const r = await m.post('/entities', { id, type: 'Thing' });
      assertStatus(r, 201, 'create');
      const location = r.headers.get('location');
      const followed = await fetch(new URL(location, m.base), { headers: await m.authHeaders() });
      assert.equal(followed.status, 200, `the Location ${location} must lead to ${id}`);
      assert.equal((await followed.json()).id, id);
      assertStatus(await m.delete(`/entities/${enc(id)}`), 204, 'delete');
    });
  }
});

describe('concurrent writers', () => {
  test('20 concurrent appends to one entity: no attribute is lost', async () => {
    const id = `urn:ngsi-ld:Building:${uniq()}`;
    assertStatus(await m.post('/entities', { id, type: 'Building' }), 201);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => m.post(`/entities/${enc(id)}/attrs`, { [`a${i}`]: { type: 'Property', value: i } })),
    );
    for (const r of results) assertStatus(r, 204, 'append');
    const e = await getOk(id);
    for (let i = 0; i < 20; i++) assert.equal(e[`a${i}`]?.value, i, `a${i} lost`);
  });

  test('10 concurrent creates of one id: exactly one 201, the others 409', async () => {
    const id = `urn:ngsi-ld:Building:${uniq()}`;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => m.post('/entities', { id, type: 'Building', n: { type: 'Property', value: i } })),
    );
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, ...Array(9).fill(409)]);
    const winner = results.findIndex((r) => r.status === 201);
    assert.equal((await getOk(id)).n.value, winner);
  });
});

describe('q over every attribute kind', () => {
  const id = `urn:ngsi-ld:Building:q-${Date.now()}`;
  before(async () => {
    assertStatus(await m.post('/entities', cityHall(id)), 201, 'create');
  });
  const cases = [
    ['label=="City Hall"', true],
    ['label=="市役所"', true],
    ['label[ja]=="市役所"', true],
    ['label[en]=="市役所"', false],
    ['label=="Town Hall"', false],
    ['category=="civic"', true],
    ['category=="commercial"', false],
    ['tags=="two"', true],
    ['tags==3.5', true],
    ['tags==4', false],
    ['config[c]=="x"', true],
    ['config[a]==2', true],
    ['config[c]=="y"', false],
    ['owner==urn:ngsi-ld:Organization:tokyo', true],
    ['owner==urn:ngsi-ld:Organization:osaka', false],
    ['floors.accuracy==0.5', true],
    ['floors.accuracy>0.5', false],
    ['floors.unitCode=="C62"', true],
    ['floors.observedAt==2026-01-02T03:04:05Z', true],
    ['名前=="東京都庁"', true],
    ['名前.description~=本庁', true],
    ['address[addressLocality]=="新宿区"', true],
    ['address[postalCode]~=^163', true],
  ];
  for (const [q, match] of cases) {
    test(`q=${q} ${match ? 'matches' : 'does not match'}`, async () => {
      const r = await m.get(`/entities?id=${enc(id)}&q=${enc(q)}`);
      assertStatus(r, 200, q);
      assert.deepEqual(r.json.map((e) => e.id), match ? [id] : []);
    });
  }
});

// Last in this file: a server crash here would not take the other tests with it.
describe('JSON-LD answers', () => {
  const id = `urn:ngsi-ld:Building:jsonld-${Date.now()}`;
  let original;
  before(async () => {
    original = cityHall(id);
    assertStatus(await m.post('/entities', original), 201, 'create');
  });

  test('Accept: application/ld+json puts the @context in the body', async () => {
    const r = await get(id, '', { headers: { Accept: 'application/ld+json' } });
    assertStatus(r, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/ld\+json/);
    assert.ok(r.json['@context'] !== undefined, `no @context in ${r.text.slice(0, 200)}`);
    assert.ok(JSON.stringify(r.json['@context']).includes(CORE_CONTEXT), 'the @context should name the core context');
    const { '@context': _, ...rest } = r.json;
    assert.deepEqual(rest, original);
  });
});
