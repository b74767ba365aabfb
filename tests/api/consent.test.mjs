// Consent, grants, legal bases, guardians and the access ledger, over HTTP
// against a real server, from the side of the people involved: a consumer
// reading personal data under a grant, residents giving and withdrawing
// consent, a guardian acting for a child, the city setting a purpose
// opt-out, an auditor checking the ledger.
//
// Ledger proofs are checked with lib/rfc6962.mjs (an independent verifier)
// and signatures with node:crypto, never with machi's own code.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  commitment,
  entryCommitment,
  leafHash,
  verifyConsistency,
  verifyHeadSignature,
  verifyInclusion,
} from './lib/rfc6962.mjs';
import {
  accountWithToken,
  as,
  assertAccessEntry,
  canonicalJson,
  clientCredentials,
  sha256Hex,
  subjectIn,
  verifyReceipt,
} from './lib/trust.mjs';
import { assertProblem, assertStatus, pool, show, sorted, startServer, stopServer } from './lib/util.mjs';

let m;
const enc = encodeURIComponent;

// ---- people ----

const people = {}; // name -> {account, token}
const SUBJECT = {
  alice: 'sub-alice',
  bob: 'sub-bob',
  carol: 'sub-carol', // never asked, never answered
  dave: 'sub-dave',
  gina: 'sub-gina',
  hank: 'sub-hank',
  ivy: 'sub-ivy',
  jack: 'sub-jack', // no account: stays silent under opt-out
  kate: 'sub-kate',
  lena: 'sub-lena', // consents for one named recipient
  mia: 'sub-mia', // consents naming no recipient: the controllers only
  parent: 'sub-parent',
  child: 'sub-child', // no account: the parent acts for them
  frank: 'sub-frank', // a stranger to the child
  exguardian: 'sub-exguardian',
};

const ACCOUNTS = [
  { name: 'provider', roles: ['provider'] },
  { name: 'consumer', roles: ['consumer'] },
  { name: 'consumer2', roles: ['consumer'] }, // another company
  { name: 'staff', roles: ['city_staff'] },
  { name: 'auditor', roles: ['auditor'] },
  ...['alice', 'bob', 'dave', 'gina', 'hank', 'ivy', 'kate', 'lena', 'mia', 'frank'].map((name) => ({
    name,
    roles: ['resident'],
    subject: SUBJECT[name],
  })),
  { name: 'parent', roles: ['resident'], subject: SUBJECT.parent, wards: [{ subject: SUBJECT.child, relation: 'guardian' }] },
  {
    name: 'exguardian',
    roles: ['resident'],
    subject: SUBJECT.exguardian,
    wards: [{ subject: SUBJECT.child, relation: 'guardian', validFrom: '2020-01-01T00:00:00Z', validUntil: '2021-01-01T00:00:00Z' }],
  },
];

const token = (name) => people[name].token;

// ---- data ----

function personal(type, subject, extra = {}) {
  return {
    id: `urn:ngsi-ld:${type}:${subject}`,
    type,
    dataSubject: { type: 'Property', value: subject },
    dataProvider: { type: 'Property', value: 'Machi Bus Co.' },
    ...extra,
  };
}

// A consent form. `recipients` are the organisations the data may go to
// besides the controllers (docs/consent.md, "Recipients"): a consent that
// names none covers the city only, so a grant to a third party needs
// consents naming it; a refusal or withdrawal that names none stands
// against every recipient.
function consentBody(subject, purposes, { events = [{ type: 'given' }], recipients } = {}) {
  const processing = {
    notice: 'https://city.example/notices/data-use',
    language: 'ja',
    purposes,
    personalData: ['dpv-pd:Location'],
    controllers: ['city'],
    retention: 'P1Y',
    withdrawalMethod: 'https://city.example/my/consents',
  };
  if (recipients) processing.recipients = recipients;
  return {
    dataSubject: subject,
    processing,
    parties: [{ id: 'city', name: 'Machi City', role: 'controller', contact: 'privacy@city.example' }],
    events,
  };
}

// A resident's consent (one event); returns the whole answer {record, receipts}.
async function consent(name, subject, purposes, options = {}) {
  const r = await m.post('/machi/v1/consents', consentBody(subject, purposes, options), as(token(name)));
  assertStatus(r, 201, `consent of ${name} for ${subject}`);
  return r.json;
}

async function consentEvent(name, recordId, event) {
  const r = await m.post(`/machi/v1/consents/${enc(recordId)}/events`, event, as(token(name)));
  assertStatus(r, 201, `${event.type} by ${name} on ${recordId}`);
  return r.json;
}

async function createGrant(fields) {
  const body = {
    name: 'Bus route planning',
    recipient: 'Transit Lab',
    consumer: people.consumer.account.id,
    purposes: ['dpv:ImproveTransportMobility'],
    legalBasis: 'consent',
    entityTypes: ['TripRecord'],
    pseudonymize: false,
    ...fields,
  };
  const r = await m.post('/machi/v1/grants', body);
  assertStatus(r, 201, `grant ${body.name}`);
  return r.json;
}

// Client credentials bound to the grants, made by the consumer itself, and
// a token for them.
const clientIdOf = new Map(); // client token -> client id

async function clientToken(grantIds, name = 'analysis app') {
  const c = await m.post('/machi/v1/clients', { name, grants: grantIds }, as(token('consumer')));
  assertStatus(c, 201, 'client');
  const t = await clientCredentials(m, c.json.client_id, c.json.client_secret);
  assert.equal(t.status, 200, `client_credentials: ${JSON.stringify(t.json)}`);
  clientIdOf.set(t.json.access_token, c.json.client_id);
  return t.json.access_token;
}

async function setGrantState(id, action) {
  return m.post(`/machi/v1/grants/${enc(id)}/state`, { action });
}

const subjectOf = (e) => e.dataSubject?.value;

// A query refused because it selects by an attribute its grant withholds
// (docs/consent.md, "Per-grant pseudonyms"): 400 BadRequestData naming the
// attribute, so that the refusal is told from a syntax error.
function assertSelectionRefused(r, attribute, what) {
  assertProblem(r, 400, 'BadRequestData');
  assert.ok(r.json.detail.includes(attribute), `${what}: the refusal does not name ${attribute}: ${show(r)}`);
}

// The data subjects a caller sees among entities of a type.
async function visible(bearer, type, headers = {}) {
  const r = await m.get(`/ngsi-ld/v1/entities?type=${enc(type)}&limit=1000`, as(bearer, headers));
  assertStatus(r, 200, `query ${type}`);
  return sorted(r.json.map(subjectOf));
}

async function retrieve(bearer, type, subject, headers = {}) {
  return m.get(`/ngsi-ld/v1/entities/${enc(`urn:ngsi-ld:${type}:${subject}`)}`, as(bearer, headers));
}

// ---- the ledger ----
//
// Access entries name residents only by per-entry tags (docs/ledger.md,
// "Entry texts"): subjectIn() computes a resident's tag as the resident
// would and says where it stands in the entry.

async function head() {
  const r = await m.get('/machi/v1/ledger/head', { auth: false });
  assertStatus(r, 200, 'head');
  return r.json;
}

async function mine(name, subject) {
  const q = subject ? `?subject=${enc(subject)}&limit=1000` : '?limit=1000';
  const r = await m.get(`/machi/v1/ledger/mine${q}`, as(token(name)));
  assertStatus(r, 200, `ledger/mine of ${name}`);
  return r.json.entries.map((e) => ({ ...e, parsed: JSON.parse(e.entry) }));
}

// The entries indexed under a subject, as an auditor reads them.
async function audited(subject) {
  const r = await m.get(`/machi/v1/ledger/subjects/${enc(subject)}?limit=1000`, as(token('auditor')));
  assertStatus(r, 200, `ledger/subjects/${subject}`);
  return r.json.entries.map((e) => ({ ...e, parsed: JSON.parse(e.entry) }));
}

// Every entry appended since the ledger had `size` entries, read one by one
// by an auditor (entries indexed under no one are found only this way).
async function appendedSince(size) {
  const h = await head();
  const out = [];
  for (let i = size; i < h.size; ++i) {
    const r = await m.get(`/machi/v1/ledger/entries/${i}`, as(token('auditor')));
    assertStatus(r, 200, `ledger entry ${i}`);
    out.push({ ...r.json, parsed: JSON.parse(r.json.entry) });
  }
  return out;
}

// Runs `action` and returns the one access entry it appended.
async function theAccessEntryOf(action) {
  const { size } = await head();
  await action();
  const added = await appendedSince(size);
  assert.equal(added.length, 1, `expected one ledger entry: ${JSON.stringify(added.map((e) => e.parsed))}`);
  return { ...added[0], parsed: assertAccessEntry(added[0].parsed) };
}

const accessEntries = (entries) => entries.filter((e) => e.parsed.type === 'access').map((e) => ({ ...e, parsed: assertAccessEntry(e.parsed) }));

// Checks an entry as docs/ledger.md tells a resident to: signed head,
// commitment from salt and text, leaf hash, inclusion proof.
async function assertProvablyLogged(entry, pinnedKey) {
  const h = await head();
  assert.ok(verifyHeadSignature(h, pinnedKey), `head signature: ${JSON.stringify(h)}`);
  assert.ok(entry.index < h.size);
  assert.equal(commitment(entry.salt, entry.entry), entry.commitment, 'commitment = SHA-256(salt || entry)');
  const r = await m.get(`/machi/v1/ledger/proof?index=${entry.index}&size=${h.size}`, { auth: false });
  assertStatus(r, 200, 'proof');
  const leaf = leafHash(entry.commitment);
  assert.equal(r.json.leafHash, leaf, 'the proof is for this leaf');
  assert.ok(
    verifyInclusion({ leafHash: leaf, index: entry.index, size: h.size, auditPath: r.json.auditPath }, h.root),
    `inclusion of ${entry.index} in ${h.size}`,
  );
  return h;
}

let firstHead; // the head before anything happened, for a consistency proof
let publicKey; // pinned at first sight
let savedHead; // a head seen mid-way, for a consistency proof at the end
let tripApp; // the client token of the first consent grant (TripRecord, SchoolTrip)

before(async () => {
  m = await startServer();
  firstHead = await head();
  publicKey = firstHead.publicKey;
  assert.ok(verifyHeadSignature(firstHead, publicKey));
  await pool(ACCOUNTS, 4, async ({ name, ...fields }) => {
    people[name] = await accountWithToken(m, { username: name, ...fields });
  });
  // The city registers its personal entity types.
  for (const [type, body] of [
    ['TripRecord', { dataCategories: ['dpv-pd:Location'] }],
    ['MobilitySurvey', {}],
    ['SchoolTrip', {}],
    ['ParkingRecord', {}],
    ['EnergyUsage', {}],
    ['HealthRecord', { specialCare: true, dataCategories: ['dpv-pd:HealthRecord'] }],
  ]) {
    assertStatus(await m.put(`/machi/v1/personal-types/${type}`, body), 200, `personal type ${type}`);
  }
  // The provider puts data in.
  const entities = [
    ...['alice', 'bob', 'carol', 'dave'].map((n) => personal('TripRecord', SUBJECT[n], {
        distance: { type: 'Property', value: 3.2 },
        homeArea: { type: 'Property', value: `${n}-district` },
      })),
    ...['gina', 'hank', 'ivy'].map((n) => personal('MobilitySurvey', SUBJECT[n])),
    personal('SchoolTrip', SUBJECT.child),
    ...['lena', 'mia'].map((n) => personal('ParkingRecord', SUBJECT[n])),
    ...['jack', 'kate'].flatMap((n) => [personal('EnergyUsage', SUBJECT[n]), personal('HealthRecord', SUBJECT[n])]),
    { id: 'urn:ngsi-ld:BusStop:1', type: 'BusStop', name: { type: 'Property', value: '市役所前' } },
  ];
  await pool(entities, 4, async (e) => {
    assertStatus(await m.post('/ngsi-ld/v1/entities', e, as(token('provider'))), 201, `create ${e.id}`);
  });
});

after(async () => {
  await stopServer(m);
});

// ---------------------------------------------------------------------------

describe('a consumer reads under a consent grant', () => {
  let grant; // dpv:ImproveTransportMobility, TripRecord and SchoolTrip
  let app; // a client token bound to it
  const records = {}; // name -> consent answer

  before(async () => {
    grant = await createGrant({ entityTypes: ['TripRecord', 'SchoolTrip'] });
    app = await clientToken([grant.id]);
    tripApp = app;
    // alice's form names the recipients of this grant and of the two
    // pseudonymous studies below; bob's this grant's only.
    records.alice = await consent('alice', SUBJECT.alice, ['dpv:ImproveTransportMobility'], {
      recipients: ['Transit Lab', 'University A', 'University B'],
    });
    records.bob = await consent('bob', SUBJECT.bob, ['dpv:ImproveTransportMobility'], { recipients: ['Transit Lab'] });
    // dave's refusal names no recipient: it stands against Transit Lab too
    records.dave = await consent('dave', SUBJECT.dave, ['dpv:ImproveTransportMobility'], { events: [{ type: 'refused' }] });
  });

  test('the query returns exactly the consented subjects; other data flows as before', async () => {
    assert.deepEqual(await visible(app, 'TripRecord'), [SUBJECT.alice, SUBJECT.bob]);
    const counted = await m.get('/ngsi-ld/v1/entities?type=TripRecord&count=true&limit=1', as(app));
    assertStatus(counted, 200);
    assert.equal(counted.headers.get('ngsild-results-count'), '2', 'the count covers only what the consumer may see');
    const post = await m.post('/ngsi-ld/v1/entityOperations/query', { type: 'Query', entities: [{ type: 'TripRecord' }] }, as(app));
    assertStatus(post, 200);
    assert.deepEqual(sorted(post.json.map(subjectOf)), [SUBJECT.alice, SUBJECT.bob]);
    // non-personal data is not touched by the enforcement point
    const stops = await m.get('/ngsi-ld/v1/entities?type=BusStop', as(app));
    assert.equal(stops.json.length, 1);
    // by id: consented yes, silent or refused no (and not even their existence)
    assertStatus(await retrieve(app, 'TripRecord', SUBJECT.alice), 200);
    assertStatus(await retrieve(app, 'TripRecord', SUBJECT.carol), 404);
    const withheld = await retrieve(app, 'TripRecord', SUBJECT.dave);
    const missing = await retrieve(app, 'TripRecord', 'sub-nobody');
    assertProblem(withheld, 404, 'ResourceNotFound');
    assertProblem(missing, 404, 'ResourceNotFound');
    assert.equal(withheld.json.detail.replace(SUBJECT.dave, '*'), missing.json.detail.replace('sub-nobody', '*'), 'answered as if missing');
  });

  // Once a bug (now fixed): GET /ngsi-ld/v1/entities/{id}?type=T compared the type before the
  // enforcement point decided (src/broker/entity_api.cc retrieve_entity):
  // for an existing personal entity of another type the answer is 404
  // "no entity <id> of that type", for a missing one 404 "no entity <id>",
  // and no ledger entry is written. So any caller (no grant needed) learns
  // whether a resident's entity exists, without a trace. Expected: a
  // personal entity that the caller may not see is answered exactly like a
  // missing one (decide first, or one detail text for both).
  test('a withheld entity is answered like a missing one also when the request names a type', async () => {
    const url = (s) => `/ngsi-ld/v1/entities/${enc(`urn:ngsi-ld:TripRecord:${s}`)}?type=SchoolTrip`;
    const existing = await m.get(url(SUBJECT.dave), as(app));
    const missing = await m.get(url('sub-nobody'), as(app));
    assertProblem(existing, 404, 'ResourceNotFound');
    assertProblem(missing, 404, 'ResourceNotFound');
    assert.equal(existing.json.detail.replace(SUBJECT.dave, '*'), missing.json.detail.replace('sub-nobody', '*'), 'the detail tells them apart');
  });

  test('the grant is found from the client token alone, and the same with the headers named', async () => {
    const headers = { 'Machi-Grant': grant.id, 'Machi-Purpose': 'dpv:ImproveTransportMobility' };
    assert.deepEqual(await visible(app, 'TripRecord', headers), [SUBJECT.alice, SUBJECT.bob]);
    // a purpose outside the grant: nothing personal
    assert.deepEqual(await visible(app, 'TripRecord', { 'Machi-Purpose': 'dpv:Marketing' }), []);
    // a grant this client is not bound to: nothing personal, refused as a
    // whole (the entry counts the entities and names no one)
    const refused = await theAccessEntryOf(async () => {
      assert.deepEqual(await visible(app, 'TripRecord', { 'Machi-Grant': 'grant-0000000000000000' }), []);
    });
    assert.equal(refused.parsed.requestedGrant, 'grant-0000000000000000');
    assert.equal(refused.parsed.grant, undefined);
    assert.equal(refused.parsed.decision, 'deny');
    assert.deepEqual(refused.parsed.released, []);
    assert.deepEqual(refused.parsed.withheld, []);
    assert.equal(refused.parsed.withheldCount, 4, 'the four trip records');
    assert.deepEqual(refused.parsed.reasons, { grant_not_held: 4 });
    for (const s of [SUBJECT.alice, SUBJECT.bob, SUBJECT.carol, SUBJECT.dave]) {
      assert.ok(!(await audited(s)).some((e) => e.index === refused.index), `the refused read is indexed under ${s}`);
    }
  });

  test('a resident reads their own data without any grant, and no one else', async () => {
    assert.deepEqual(await visible(token('alice'), 'TripRecord'), [SUBJECT.alice]);
    assertStatus(await retrieve(token('alice'), 'TripRecord', SUBJECT.alice), 200);
    assertStatus(await retrieve(token('alice'), 'TripRecord', SUBJECT.bob), 404);
    // neither do the administrator or an auditor, who hold no grant
    assert.deepEqual(await visible(await m.adminToken(''), 'TripRecord'), []);
    assert.deepEqual(await visible(token('auditor'), 'TripRecord'), []);
  });

  test('a withdrawal removes the entity from the very next query and retrieval', async () => {
    assertStatus(await retrieve(app, 'TripRecord', SUBJECT.bob), 200);
    const answer = await consentEvent('bob', records.bob.record.id, { type: 'withdrawn' });
    assert.equal(answer.record.events.at(-1).type, 'withdrawn');
    assert.equal(answer.record.events.at(-1).actor, people.bob.account.id, 'the actor is the caller');
    assert.ok(verifyReceipt(answer.receipt, publicKey), 'withdrawal receipt signature');
    assert.equal(answer.receipt.event.type, 'withdrawn');
    // the very next requests, with the token issued before
    assertStatus(await retrieve(app, 'TripRecord', SUBJECT.bob), 404);
    assert.deepEqual(await visible(app, 'TripRecord'), [SUBJECT.alice]);
    const state = await m.get(`/machi/v1/consents/${enc(records.bob.record.id)}`, as(token('bob')));
    assertStatus(state, 200);
    assert.equal(state.json.state, 'withdrawn');
    records.bob = answer;
  });

  test('consent receipts are signed with the ledger key and name their record and ledger entry', async () => {
    const [receipt] = records.alice.receipts;
    assert.ok(verifyReceipt(receipt), 'signature over the canonical JSON');
    assert.equal(receipt.signature.keyId, publicKey, 'signed with the published key');
    assert.equal(receipt.dataSubject, SUBJECT.alice);
    assert.equal(receipt.recordId, records.alice.record.id);
    assert.deepEqual(receipt.purposes, ['https://w3id.org/dpv#ImproveTransportMobility']);
    assert.equal(receipt.event.type, 'given');
    assert.equal(receipt.recordHash.alg, 'SHA-256');
    assert.equal(receipt.recordHash.value, sha256Hex(canonicalJson(records.alice.record)), 'recordHash');
    // tampering shows
    assert.equal(verifyReceipt({ ...receipt, dataSubject: SUBJECT.bob }), false);
    assert.equal(verifyReceipt({ ...receipt, event: { ...receipt.event, type: 'withdrawn' } }), false);
    // the receipt's ledger entry is the consent event, provably logged
    const e = await m.get(`/machi/v1/ledger/entries/${receipt.ledgerIndex}`, as(token('alice')));
    assertStatus(e, 200, 'the resident reads the entry of their own consent');
    const text = JSON.parse(e.json.entry);
    assert.equal(text.type, 'consent.given');
    assert.equal(text.record, records.alice.record.id);
    assert.equal(text.subject, SUBJECT.alice);
    await assertProvablyLogged(e.json, publicKey);
    // the refusal got its receipt too
    assert.ok(verifyReceipt(records.dave.receipts[0], publicKey));
    assert.equal(records.dave.receipts[0].event.type, 'refused');
  });

  test("residents list their own consent records with their state, and cannot see others'", async () => {
    const r = await m.get('/machi/v1/consents', as(token('alice')));
    assertStatus(r, 200);
    assert.deepEqual(r.json.map((c) => [c.id, c.state]), [[records.alice.record.id, 'given']]);
    const other = await m.get(`/machi/v1/consents?subject=${SUBJECT.bob}`, as(token('alice')));
    assertStatus(other, 403);
    assertStatus(await m.get(`/machi/v1/consents/${enc(records.bob.record.id)}`, as(token('alice'))), 404);
    // an auditor may
    const audit = await m.get(`/machi/v1/consents?subject=${SUBJECT.bob}`, as(token('auditor')));
    assertStatus(audit, 200);
    assert.equal(audit.json[0].state, 'withdrawn');
  });

  describe('the access ledger', () => {
    test("the resident's ledger shows the consumer's read, provably logged under a signed head", async () => {
      const entries = accessEntries(await mine('alice'));
      const reads = entries.filter((e) => e.parsed.grant === grant.id);
      assert.ok(reads.length >= 1, `no access entry of grant ${grant.id} in ${JSON.stringify(entries.map((e) => e.parsed))}`);
      // the first: the query of the first test, before bob withdrew
      const read = reads[0];
      assert.deepEqual(read.parsed.principal, {
        kind: 'client',
        client: clientIdOf.get(app),
        account: people.consumer.account.id,
        name: 'analysis app',
        roles: ['consumer'],
      });
      // The action keeps the parameter names and the types, never values that could name residents.
      assert.equal(read.parsed.action, 'GET /ngsi-ld/v1/entities?type=TripRecord&limit');
      assert.equal(read.parsed.grantName, 'Bus route planning');
      assert.equal(read.parsed.recipient, 'Transit Lab');
      assert.equal(read.parsed.legalBasis, 'consent');
      assert.equal(read.parsed.purpose, 'https://w3id.org/dpv#ImproveTransportMobility');
      assert.equal(read.parsed.decision, 'partial');
      assert.equal(read.parsed.requestedGrant, undefined);
      assert.deepEqual(read.parsed.bases, { consent: 2 });
      assert.deepEqual(read.parsed.reasons, { no_consent: 1, refused: 1 });
      assert.equal(read.parsed.withheldCount, undefined, 'every withheld resident is listed');
      assert.equal(read.parsed.objectionOverridden, undefined);
      // alice finds herself by her tag; the entry holds exactly the four
      // residents the query touched, as tags
      const at = (s) => subjectIn(read.parsed, s);
      assert.ok(at(SUBJECT.alice).released);
      assert.deepEqual(sorted(read.parsed.released), sorted([at(SUBJECT.alice).tag, at(SUBJECT.bob).tag]));
      assert.deepEqual(
        sorted(read.parsed.withheld.map((w) => `${w.subject} ${w.reason}`)),
        sorted([`${at(SUBJECT.carol).tag} no_consent`, `${at(SUBJECT.dave).tag} refused`]),
      );
      // every access entry alice is shown names her, each with a fresh key,
      // so her tags differ from entry to entry
      for (const e of entries) assert.ok(subjectIn(e.parsed, SUBJECT.alice).named, `entry ${e.index} shown to alice does not name her: ${e.entry}`);
      assert.ok(entries.length >= 3, `${entries.length} access entries`);
      assert.equal(new Set(entries.map((e) => e.parsed.subjectKey)).size, entries.length, 'subjectKey reused');
      assert.equal(new Set(entries.map((e) => subjectIn(e.parsed, SUBJECT.alice).tag)).size, entries.length, 'a tag repeats');
      savedHead = await assertProvablyLogged(read, publicKey);
    });

    test('a withheld read is logged too: the resident who refused sees the attempt', async () => {
      const entries = accessEntries(await mine('dave'));
      for (const e of entries) assert.ok(subjectIn(e.parsed, SUBJECT.dave).named, `entry ${e.index} shown to dave does not name him: ${e.entry}`);
      const denied = entries.filter((e) => subjectIn(e.parsed, SUBJECT.dave).withheld);
      assert.ok(denied.length >= 1, `no withheld access in dave's ledger: ${JSON.stringify(entries.map((e) => e.parsed))}`);
      // his refusal named no recipient: it stood against Transit Lab
      assert.equal(denied[0].parsed.grant, grant.id);
      assert.equal(subjectIn(denied[0].parsed, SUBJECT.dave).withheld, 'refused', denied[0].entry);
      assert.ok(denied[0].parsed.reasons.refused >= 1, denied[0].entry);
      assert.ok(!subjectIn(denied[0].parsed, SUBJECT.dave).released);
      assert.ok(entries.every((e) => !subjectIn(e.parsed, SUBJECT.dave).released), 'dave was never released');
      await assertProvablyLogged(denied[0], publicKey);
      // carol, who has no account, is in the ledger as well (for auditors)
      const carols = accessEntries(await audited(SUBJECT.carol));
      assert.ok(
        carols.some((e) => e.parsed.grant === grant.id && subjectIn(e.parsed, SUBJECT.carol).withheld === 'no_consent'),
        JSON.stringify(carols.map((e) => e.parsed)),
      );
    });

    test("a resident cannot read another resident's entries; an auditor can", async () => {
      const daves = await mine('dave');
      const refusal = daves.find((e) => e.parsed.type === 'consent.refused');
      assert.ok(refusal, 'the refusal is in the ledger');
      assertStatus(await m.get(`/machi/v1/ledger/entries/${refusal.index}`, as(token('alice'))), 403);
      assertStatus(await m.get(`/machi/v1/ledger/mine?subject=${SUBJECT.dave}`, as(token('alice'))), 403);
      assertStatus(await m.get(`/machi/v1/ledger/subjects/${SUBJECT.dave}`, as(token('alice'))), 403);
      assertStatus(await m.get(`/machi/v1/ledger/entries/${refusal.index}`, as(token('consumer'))), 403);
      assertStatus(await m.get(`/machi/v1/ledger/entries/${refusal.index}`, { auth: false }), 401);
      const byAuditor = await m.get(`/machi/v1/ledger/entries/${refusal.index}`, as(token('auditor')));
      assertStatus(byAuditor, 200);
      assert.equal(byAuditor.json.entry, refusal.entry);
      assert.deepEqual(
        (await audited(SUBJECT.dave)).map((e) => e.index),
        daves.map((e) => e.index),
      );
      // hashes stay public: anyone can check the refusal is in the log
      const h = await head();
      const p = await m.get(`/machi/v1/ledger/proof?index=${refusal.index}&size=${h.size}`, { auth: false });
      assertStatus(p, 200);
      assert.ok(verifyInclusion({ ...p.json, leafHash: leafHash(refusal.commitment) }, h.root));
      assert.equal(entryCommitment(refusal), refusal.commitment);
    });

    test("a resident's ledger does not disclose other residents", async () => {
      const entries = await mine('alice');
      assert.ok(entries.some((e) => e.parsed.type === 'access' && e.parsed.withheld.length > 0), 'alice is shown reads that withheld others');
      const others = Object.values(SUBJECT).filter((s) => s !== SUBJECT.alice);
      for (const e of entries) {
        for (const s of others) assert.ok(!e.entry.includes(s), `entry ${e.index} shown to alice names ${s}: ${e.entry}`);
      }
      // ... while the auditor, who knows whom to look for, finds them all
      const read = accessEntries(entries).find((e) => e.parsed.grant === grant.id);
      for (const s of [SUBJECT.bob, SUBJECT.carol, SUBJECT.dave]) assert.ok(subjectIn(read.parsed, s).named, s);
      assert.ok((await audited(SUBJECT.bob)).some((e) => e.index === read.index), "the read is in bob's index");
    });

    // Once a bug (now fixed): an access entry's "action" was the request's path and query string
    // as received (src/broker/ld_request.cc LdRequest::begin_read builds it;
    // src/trust/read_access.cc ReadAccess::entry_json writes it as is), and
    // the entry is shown to every resident it names. A query that selects by
    // ids (id=, idPattern=) or by values (q=dataSubject=="...") thus puts
    // other residents' pseudonyms into the text alice reads: here
    // "…&id=urn:ngsi-ld:TripRecord:sub-alice,urn:ngsi-ld:TripRecord:sub-bob".
    // docs/consent.md promises that "the text names residents only by
    // per-entry tags, so a resident reading it learns nothing about the
    // others". Expected: the action keeps no parameter values that can name
    // residents (e.g. id, idPattern and q values redacted), or residents
    // are shown the entry without them.
    test("a resident's ledger does not disclose other residents through the request's query string", async () => {
      const ids = [SUBJECT.alice, SUBJECT.bob].map((s) => `urn:ngsi-ld:TripRecord:${s}`).join(',');
      const read = await theAccessEntryOf(async () => {
        const r = await m.get(`/ngsi-ld/v1/entities?type=TripRecord&id=${enc(ids)}`, as(app));
        assertStatus(r, 200);
        assert.deepEqual(r.json.map(subjectOf), [SUBJECT.alice]);
      });
      assert.ok(subjectIn(read.parsed, SUBJECT.alice).released);
      assert.equal(subjectIn(read.parsed, SUBJECT.bob).withheld, 'withdrawn');
      const shown = (await mine('alice')).find((e) => e.index === read.index);
      assert.ok(shown, 'alice is shown the read of her data');
      assert.ok(!shown.entry.includes(SUBJECT.bob), `the entry shown to alice names bob: ${shown.entry}`);
    });

    // Once a bug (now fixed): a resident's own read runs without a grant, and then
    // ReadAccess::check_selection (src/trust/read_access.cc) lets any filter
    // through ("without a grant only the subjects' own data passes: nothing
    // to learn"). But the entry of that read is indexed under the resident
    // (their own data was released) and carries "decision", "withheldCount"
    // and "reasons" for the other residents' entities the filter matched
    // (ReadAccess::entry_json). So alice, with
    // q=dataSubject=="sub-alice"|(dataSubject=="sub-bob";homeArea=="<guess>"),
    // reads in her own ledger whether bob's homeArea is <guess>: any value of
    // anyone's personal data can be tried out. Expected: the entries a
    // resident is shown tell nothing about entities that are not theirs
    // (e.g. selection by attributes refused or restricted to the caller's
    // own entities also without a grant, or no counts of others' entities
    // in an entry indexed under the caller).
    test("a resident learns nothing about others' data from the counts in their own ledger", async () => {
      const shown = [];
      for (const guess of ['bob-district', 'elsewhere']) {
        const q = `dataSubject=="${SUBJECT.alice}"|(dataSubject=="${SUBJECT.bob}";homeArea=="${guess}")`;
        const read = await theAccessEntryOf(async () => {
          const r = await m.get(`/ngsi-ld/v1/entities?type=TripRecord&q=${enc(q)}`, as(token('alice')));
          assertStatus(r, 200);
          assert.deepEqual(r.json.map(subjectOf), [SUBJECT.alice], 'alice gets her own record only');
        });
        const entry = (await mine('alice')).find((e) => e.index === read.index);
        assert.ok(entry, 'alice is shown the read of her own data');
        assert.ok(subjectIn(entry.parsed, SUBJECT.alice).released);
        // what differs between any two reads anyway: time, key, tags, query
        const { time, subjectKey, released, action, ...rest } = entry.parsed;
        shown.push(JSON.stringify(rest));
      }
      assert.equal(shown[0], shown[1], "alice's ledger tells whether bob's homeArea is bob-district");
    });
  });
});

// ---------------------------------------------------------------------------

describe('pseudonyms', () => {
  let p1;
  let p2;

  before(async () => {
    p1 = await createGrant({ name: 'Pseudonymous study 1', recipient: 'University A', pseudonymize: true });
    p2 = await createGrant({ name: 'Pseudonymous study 2', recipient: 'University B', pseudonymize: true });
  });

  test("pseudonymized output differs between two grants for the same resident, and is stable within one", async () => {
    const read = async (grantId) => {
      const r = await m.get('/ngsi-ld/v1/entities?type=TripRecord', as(token('consumer'), { 'Machi-Grant': grantId }));
      assertStatus(r, 200);
      assert.equal(r.json.length, 1, `only alice has consented now: ${show(r)}`);
      return r.json[0];
    };
    const a1 = await read(p1.id);
    const a2 = await read(p2.id);
    for (const e of [a1, a2]) {
      assert.ok(!e.id.includes(SUBJECT.alice), `id not pseudonymized: ${e.id}`);
      assert.notEqual(subjectOf(e), SUBJECT.alice);
      assert.match(subjectOf(e), /^[0-9a-f]{32}$/);
      assert.ok(e.id.startsWith('urn:ngsi-ld:TripRecord:'));
      assert.equal(e.distance.value, 3.2, 'the data itself is released');
    }
    assert.notEqual(a1.id, a2.id);
    assert.notEqual(subjectOf(a1), subjectOf(a2));
    const again = await read(p1.id);
    assert.equal(again.id, a1.id);
    assert.equal(subjectOf(again), subjectOf(a1));
    // the pseudonym in the id and in the subject attribute are the same per grant
    assert.equal(a1.id.split(':').at(-1), subjectOf(a1));
  });

  test('a consumer holding several grants for the same purpose must name one: otherwise nothing personal', async () => {
    assert.deepEqual(await visible(token('consumer'), 'TripRecord'), []);
    assert.deepEqual(await visible(token('consumer'), 'TripRecord', { 'Machi-Purpose': 'dpv:ImproveTransportMobility' }), []);
    const stops = await m.get('/ngsi-ld/v1/entities?type=BusStop', as(token('consumer')));
    assert.equal(stops.json.length, 1, 'non-personal data still flows');
  });

  test("a grant's attribute list limits what leaves (the subject attribute stays)", async () => {
    const limited = await createGrant({ name: 'Distances only', recipient: 'Transit Lab', attributes: ['distance'] });
    const r = await m.get('/ngsi-ld/v1/entities?type=TripRecord', as(token('consumer'), { 'Machi-Grant': limited.id }));
    assertStatus(r, 200);
    assert.equal(r.json.length, 1);
    assert.deepEqual(Object.keys(r.json[0]).sort(), ['dataSubject', 'distance', 'id', 'type']);
    assert.equal(subjectOf(r.json[0]), SUBJECT.alice);
    const one = await retrieve(token('consumer'), 'TripRecord', SUBJECT.alice, { 'Machi-Grant': limited.id });
    assertStatus(one, 200);
    assert.equal(one.json.homeArea, undefined, 'homeArea is not in the grant');
    assert.equal(one.json.distance.value, 3.2);
  });

  test('a pseudonymizing grant offers no way back to the raw subject', async () => {
    const headers = { 'Machi-Grant': p1.id };
    const get = (query) => m.get(`/ngsi-ld/v1/entities?type=TripRecord&${query}`, as(token('consumer'), headers));
    const post = (body) => m.post('/ngsi-ld/v1/entityOperations/query', { type: 'Query', ...body }, as(token('consumer'), headers));
    const aliceId = `urn:ngsi-ld:TripRecord:${SUBJECT.alice}`;
    const { size } = await head();
    // selecting by the data subject is refused before the query runs
    for (const query of [
      `q=${enc(`dataSubject=="${SUBJECT.alice}"`)}`,
      `q=${enc(`dataSubject=="${SUBJECT.carol}"`)}`,
      `q=${enc('distance>1;dataSubject~="sub-a.*"')}`,
      `q=${enc('distance>100|dataSubject')}`,
      'attrs=dataSubject',
    ]) {
      assertSelectionRefused(await get(query), 'dataSubject', query);
    }
    assertSelectionRefused(await post({ entities: [{ type: 'TripRecord' }], q: `dataSubject=="${SUBJECT.alice}"` }), 'dataSubject', 'POST');
    assert.equal((await head()).size, size, 'a refused selection writes no ledger entry');
    // ... while a filter on released data works as usual
    const byDistance = await get(`q=${enc('distance>1')}`);
    assertStatus(byDistance, 200);
    assert.equal(byDistance.json.length, 1);
    assert.match(subjectOf(byDistance.json[0]), /^[0-9a-f]{32}$/);
    // selecting by the raw id releases nothing, whatever the form
    const { size: before } = await head();
    const byId = await retrieve(token('consumer'), 'TripRecord', SUBJECT.alice, headers);
    assertProblem(byId, 404, 'ResourceNotFound');
    for (const query of [`id=${enc(aliceId)}`, `idPattern=${enc('^urn:ngsi-ld:TripRecord:sub-a.*')}`, `idPattern=${enc('.*')}`]) {
      const r = await get(query);
      assertStatus(r, 200, query);
      assert.deepEqual(r.json, [], query);
    }
    for (const selector of [{ id: aliceId }, { idPattern: '.*alice.*' }]) {
      const r = await post({ entities: [{ type: 'TripRecord', ...selector }] });
      assertStatus(r, 200, JSON.stringify(selector));
      assert.deepEqual(r.json, [], JSON.stringify(selector));
    }
    // each of those six reads withheld alice for having been selected by id
    // (the others for their own reasons), and alice sees it in her ledger
    const added = accessEntries(await appendedSince(before));
    assert.equal(added.length, 6, JSON.stringify(added.map((e) => e.parsed)));
    const mineNow = await mine('alice');
    for (const e of added) {
      assert.equal(e.parsed.grant, p1.id);
      assert.equal(e.parsed.decision, 'deny', e.entry);
      assert.deepEqual(e.parsed.released, [], e.entry);
      assert.equal(subjectIn(e.parsed, SUBJECT.alice).withheld, 'pseudonymized_id_selected', e.entry);
      assert.equal(e.parsed.reasons.pseudonymized_id_selected, 1, e.entry);
      assert.ok(mineNow.some((x) => x.index === e.index), `alice does not see entry ${e.index}`);
    }
    assert.deepEqual(added[0].parsed.reasons, { pseudonymized_id_selected: 1 }, 'the retrieval');
    assert.equal(added[0].parsed.action, `GET /ngsi-ld/v1/entities/${enc(aliceId)}`, 'the path as received');
  });

  test("a grant's attribute limit cannot be bypassed with a query filter", async () => {
    const limited = (await m.get('/machi/v1/grants', as(token('consumer')))).json.find((g) => g.name === 'Distances only');
    const headers = { 'Machi-Grant': limited.id };
    const get = (query) => m.get(`/ngsi-ld/v1/entities?type=TripRecord&${query}`, as(token('consumer'), headers));
    const geo = `georel=${enc('near;maxDistance==1000')}&geometry=Point&coordinates=${enc('[139.7,35.6]')}`;
    const { size } = await head();
    for (const [query, attribute] of [
      [`q=${enc('homeArea=="alice-district"')}`, 'homeArea'],
      [`q=${enc('homeArea=="elsewhere"')}`, 'homeArea'],
      [`q=${enc('homeArea')}`, 'homeArea'],
      [`q=${enc('distance>100|homeArea~="alice.*"')}`, 'homeArea'],
      [`q=${enc('distance>1;(homeArea=="alice-district")')}`, 'homeArea'],
      ['attrs=homeArea', 'homeArea'],
      ['attrs=distance,homeArea', 'homeArea'],
      [`${geo}&geoproperty=homeArea`, 'homeArea'],
      [geo, 'location'], // the default geoproperty is not in the grant either
    ]) {
      assertSelectionRefused(await get(query), attribute, query);
    }
    const post = await m.post(
      '/ngsi-ld/v1/entityOperations/query',
      { type: 'Query', entities: [{ type: 'TripRecord' }], q: 'homeArea=="alice-district"' },
      as(token('consumer'), headers),
    );
    assertSelectionRefused(post, 'homeArea', 'POST');
    assert.equal((await head()).size, size, 'a refused selection writes no ledger entry');
    // attributes the grant releases select as usual, and so does the subject
    // attribute (it leaves with the data when the grant does not pseudonymize)
    const aliceId = `urn:ngsi-ld:TripRecord:${SUBJECT.alice}`;
    for (const [query, want] of [
      [`q=${enc('distance==3.2')}`, [aliceId]],
      [`q=${enc('distance>100')}`, []],
      ['attrs=distance', [aliceId]],
      [`q=${enc(`dataSubject=="${SUBJECT.alice}"`)}`, [aliceId]],
    ]) {
      const r = await get(query);
      assertStatus(r, 200, query);
      assert.deepEqual(r.json.map((e) => e.id), want, query);
      for (const e of r.json) assert.equal(e.homeArea, undefined, query);
    }
  });
});

describe('grants are per consumer', () => {
  test("another consumer neither sees nor uses nor binds a grant it does not hold", async () => {
    const theirs = (await m.get('/machi/v1/grants', as(token('consumer')))).json;
    assert.ok(theirs.length >= 3, 'the consumer sees its own grants');
    assert.ok(theirs.every((g) => g.consumer === people.consumer.account.id));
    const other = await m.get('/machi/v1/grants', as(token('consumer2')));
    assertStatus(other, 200);
    assert.deepEqual(other.json, []);
    assertStatus(await m.get(`/machi/v1/grants/${enc(theirs[0].id)}`, as(token('consumer2'))), 404);
    const bind = await m.post('/machi/v1/clients', { name: 'stolen', grants: [theirs[0].id] }, as(token('consumer2')));
    assertStatus(bind, 403);
    for (const g of theirs) {
      assert.deepEqual(await visible(token('consumer2'), 'TripRecord', { 'Machi-Grant': g.id }), [], g.name);
    }
    // an auditor and an ethics member would see them all; the resident none
    assertStatus(await m.get('/machi/v1/grants', as(token('alice'))), 403);
    const audited = await m.get('/machi/v1/grants', as(token('auditor')));
    assert.ok(audited.json.length >= theirs.length);
  });

  test('a grant is held by an account of the tenant with the consumer or city_staff role', async () => {
    const base = {
      name: 'Held by whom?',
      recipient: 'Transit Lab',
      purposes: ['dpv:ImproveTransportMobility'],
      legalBasis: 'consent',
      entityTypes: ['TripRecord'],
    };
    for (const [consumer, what] of [
      [people.alice.account.id, 'a resident'],
      [people.provider.account.id, 'a provider'],
      [people.auditor.account.id, 'an auditor'],
      ['acc-0000000000000000', 'no account'],
    ]) {
      assertProblem(await m.post('/machi/v1/grants', { ...base, consumer }), 400, 'BadRequestData');
      assert.ok(!(await m.get('/machi/v1/grants')).json.some((g) => g.consumer === consumer), `a grant held by ${what} was stored`);
    }
    // an account of another tenant holds nothing here
    const other = { 'NGSILD-Tenant': 'consent-other' };
    assertProblem(await m.post('/machi/v1/grants', { ...base, consumer: people.consumer.account.id }, { headers: other }), 400, 'BadRequestData');
    const there = await m.get('/machi/v1/grants', { headers: other });
    assertStatus(there, 200);
    assert.deepEqual(there.json, []);
  });

  test('deleting a client ends its tokens at once', async () => {
    const c = await m.post('/machi/v1/clients', { name: 'short-lived', grants: [] }, as(token('consumer')));
    assertStatus(c, 201);
    const t = await clientCredentials(m, c.json.client_id, c.json.client_secret);
    assert.equal(t.status, 200);
    assertStatus(await m.get('/machi/v1/auth/me', as(t.json.access_token)), 200);
    assertStatus(await m.delete(`/machi/v1/clients/${enc(c.json.client_id)}`, as(token('consumer'))), 204);
    assertStatus(await m.get('/ngsi-ld/v1/entities?type=BusStop', as(t.json.access_token)), 401);
    const again = await clientCredentials(m, c.json.client_id, c.json.client_secret);
    assert.equal(again.status, 401);
  });
});

// ---------------------------------------------------------------------------

describe('purposes form a polyhierarchy', () => {
  let app;

  before(async () => {
    const grant = await createGrant({
      name: 'Mobility survey',
      entityTypes: ['MobilitySurvey'],
      purposes: ['dpv:ImproveTransportMobility', 'dpv:PublicPolicyMaking'],
    });
    app = await clientToken([grant.id], 'survey app');
    const recipients = ['Transit Lab'];
    await consent('gina', SUBJECT.gina, ['dpv:PublicBenefit'], { recipients }); // broad
    await consent('hank', SUBJECT.hank, ['machi:MobilityPlanning'], { recipients }); // narrow (under both grant purposes)
    await consent('ivy', SUBJECT.ivy, ['dpv:PublicPolicyMaking'], { recipients }); // one parent of MobilityPlanning
  });

  const underPurpose = (purpose) => visible(app, 'MobilitySurvey', { 'Machi-Purpose': purpose });

  test('consent to a broader purpose covers a narrower one', async () => {
    assert.ok((await underPurpose('dpv:ImproveTransportMobility')).includes(SUBJECT.gina));
    assert.ok((await underPurpose('machi:MobilityPlanning')).includes(SUBJECT.gina));
  });

  test('consent to a narrower purpose does not cover a broader one', async () => {
    assert.deepEqual(await underPurpose('dpv:ImproveTransportMobility'), [SUBJECT.gina]);
    assert.deepEqual(await underPurpose('dpv:PublicPolicyMaking'), [SUBJECT.gina, SUBJECT.ivy]);
  });

  test('coverage follows every parent path (machi:MobilityPlanning sits under two purposes)', async () => {
    assert.deepEqual(await underPurpose('machi:MobilityPlanning'), [SUBJECT.gina, SUBJECT.hank, SUBJECT.ivy]);
    assert.deepEqual(await underPurpose('https://machi.city/ns#MobilityPlanning'), [SUBJECT.gina, SUBJECT.hank, SUBJECT.ivy]);
  });

  test("a consent covers only the grant's entity types", async () => {
    // gina's consent to dpv:PublicBenefit covers the first grant's purpose,
    // but that grant is for TripRecord and SchoolTrip only
    assert.deepEqual(await visible(tripApp, 'MobilitySurvey'), []);
  });

  test('a grant with several purposes needs the request to name one; a purpose outside it gets nothing', async () => {
    assert.deepEqual(await visible(app, 'MobilitySurvey'), []);
    assert.deepEqual(await underPurpose('dpv:PublicBenefit'), [], 'broader than the grant');
    assert.deepEqual(await underPurpose('dpv:Marketing'), []);
    assert.deepEqual(await underPurpose('dpv:NoSuchPurpose'), []);
  });
});

// ---------------------------------------------------------------------------

describe('recipients named in a consent', () => {
  const apps = {}; // recipient -> client token
  const grants = {}; // recipient -> grant
  const records = {};
  // 'Machi City' is the controller party's name, 'city' its id
  const RECIPIENTS = ['Transit Lab', 'Ad Agency', 'Machi City', 'city'];
  const seenBy = async () => Object.fromEntries(
    await Promise.all(RECIPIENTS.map(async (r) => [r, await visible(apps[r], 'ParkingRecord')])),
  );
  // The reason the last read under `recipient`'s grant gave for `subject`,
  // as the subject finds it in their own ledger.
  async function reasonFor(name, recipient) {
    const reads = accessEntries(await mine(name)).filter((e) => e.parsed.grant === grants[recipient].id);
    assert.ok(reads.length >= 1, `no read of ${recipient} in the ledger of ${name}`);
    const at = subjectIn(reads.at(-1).parsed, SUBJECT[name]);
    return at.released ? 'released' : at.withheld;
  }

  before(async () => {
    for (const recipient of RECIPIENTS) {
      grants[recipient] = await createGrant({ name: `Parking for ${recipient}`, recipient, entityTypes: ['ParkingRecord'] });
      apps[recipient] = await clientToken([grants[recipient].id], `parking app of ${recipient}`);
    }
    records.lena = await consent('lena', SUBJECT.lena, ['dpv:ImproveTransportMobility'], { recipients: ['Transit Lab'] });
    records.mia = await consent('mia', SUBJECT.mia, ['dpv:ImproveTransportMobility']);
  });

  test('a consent naming its recipients covers them and the controllers, no one else', async () => {
    const seen = await seenBy();
    assert.deepEqual(seen['Transit Lab'], [SUBJECT.lena]);
    assert.deepEqual(seen['Machi City'], [SUBJECT.lena, SUBJECT.mia], 'the controller, by name');
    assert.deepEqual(seen.city, [SUBJECT.lena, SUBJECT.mia], 'the controller, by id');
    assert.ok(!seen['Ad Agency'].includes(SUBJECT.lena));
    assert.equal(await reasonFor('lena', 'Ad Agency'), 'recipient_not_consented');
    assert.equal(await reasonFor('lena', 'Transit Lab'), 'released');
    assert.equal(await reasonFor('lena', 'Machi City'), 'released');
  });

  test('a consent naming no recipient covers the controllers only', async () => {
    const seen = await seenBy();
    assert.deepEqual(seen['Ad Agency'], []);
    assert.ok(!seen['Transit Lab'].includes(SUBJECT.mia));
    for (const recipient of ['Ad Agency', 'Transit Lab']) {
      assert.equal(await reasonFor('mia', recipient), 'recipient_not_consented', recipient);
    }
    assert.equal(await reasonFor('mia', 'city'), 'released');
    const adRead = accessEntries(await audited(SUBJECT.mia)).filter((e) => e.parsed.grant === grants['Ad Agency'].id).at(-1);
    assert.deepEqual(adRead.parsed.reasons, { recipient_not_consented: 2 }, adRead.entry);
    assert.equal(adRead.parsed.recipient, 'Ad Agency');
  });

  test('a third party gets the data of those whose consent names it', async () => {
    records.miaAd = await consent('mia', SUBJECT.mia, ['dpv:ImproveTransportMobility'], { recipients: ['Ad Agency'] });
    const seen = await seenBy();
    assert.deepEqual(seen['Ad Agency'], [SUBJECT.mia]);
    assert.deepEqual(seen['Transit Lab'], [SUBJECT.lena], "mia's new form does not name Transit Lab");
    assert.deepEqual(seen.city, [SUBJECT.lena, SUBJECT.mia]);
  });

  test('a withdrawal or refusal naming no recipient stands against every recipient', async () => {
    // mia withdraws the form that named no one: an objection to the
    // purpose, later than her consent naming Ad Agency
    await consentEvent('mia', records.mia.record.id, { type: 'withdrawn' });
    // lena refuses the purpose on a new form that names no one
    await consent('lena', SUBJECT.lena, ['dpv:ImproveTransportMobility'], { events: [{ type: 'refused' }] });
    const seen = await seenBy();
    for (const recipient of RECIPIENTS) assert.deepEqual(seen[recipient], [], recipient);
    assert.equal(await reasonFor('mia', 'Ad Agency'), 'withdrawn');
    assert.equal(await reasonFor('mia', 'Machi City'), 'withdrawn');
    assert.equal(await reasonFor('lena', 'Transit Lab'), 'refused');
    assert.equal(await reasonFor('lena', 'Ad Agency'), 'refused');
  });

  test('a later consent naming no recipient lifts an objection for the controllers only', async () => {
    await consent('mia', SUBJECT.mia, ['dpv:ImproveTransportMobility']);
    const seen = await seenBy();
    assert.deepEqual(seen.city, [SUBJECT.mia]);
    assert.deepEqual(seen['Machi City'], [SUBJECT.mia]);
    assert.deepEqual(seen['Ad Agency'], []);
    assert.deepEqual(seen['Transit Lab'], []);
    // for the third parties her objection is still the last word
    assert.equal(await reasonFor('mia', 'Ad Agency'), 'withdrawn');
    assert.equal(await reasonFor('mia', 'Transit Lab'), 'withdrawn');
  });
});

// ---------------------------------------------------------------------------

describe('grant state is checked at every request', () => {
  let grant;
  let app; // issued before every change below

  before(async () => {
    grant = await createGrant({ name: 'Lifecycle' });
    app = await clientToken([grant.id], 'lifecycle app');
  });

  async function status(id) {
    const r = await m.get(`/machi/v1/grants/${enc(id)}`);
    assertStatus(r, 200);
    return r.json.status;
  }

  test('suspension bites on the very next request of an earlier token; resume restores', async () => {
    assert.deepEqual(await visible(app, 'TripRecord'), [SUBJECT.alice]);
    assertStatus(await setGrantState(grant.id, 'suspend'), 200);
    assert.equal(await status(grant.id), 'suspended');
    // A read under a suspended grant is refused as a whole: its entry counts
    // the entities with the reason, names no one, and is indexed under no
    // one (auditors read it by its index).
    const aliceBefore = (await audited(SUBJECT.alice)).map((e) => e.index);
    const refusals = [];
    refusals.push(await theAccessEntryOf(async () => assert.deepEqual(await visible(app, 'TripRecord'), []))); // the grant from the token
    refusals.push(await theAccessEntryOf(async () => {
      assert.deepEqual(await visible(app, 'TripRecord', { 'Machi-Grant': grant.id }), []); // the grant named
    }));
    refusals.push(await theAccessEntryOf(async () => {
      assertStatus(await retrieve(app, 'TripRecord', SUBJECT.alice, { 'Machi-Grant': grant.id }), 404);
    }));
    for (const [i, { parsed: e }] of refusals.entries()) {
      const text = JSON.stringify(e);
      assert.equal(e.grant, undefined, text);
      assert.equal(e.purpose, undefined, text);
      assert.equal(e.requestedGrant, i === 0 ? undefined : grant.id, text);
      assert.equal(e.principal.client, clientIdOf.get(app), text);
      assert.equal(e.decision, 'deny', text);
      assert.deepEqual([e.released, e.withheld], [[], []], text);
      const n = i === 2 ? 1 : 4; // the four trip records, or the one retrieved
      assert.equal(e.withheldCount, n, text);
      assert.deepEqual(e.reasons, { grant_suspended: n }, text);
      assert.equal(e.bases, undefined, text);
    }
    assert.deepEqual((await audited(SUBJECT.alice)).map((e) => e.index), aliceBefore, "the refusals are not in alice's index");
    assertStatus(await setGrantState(grant.id, 'resume'), 200);
    assert.equal(await status(grant.id), 'approved');
    assert.deepEqual(await visible(app, 'TripRecord'), [SUBJECT.alice]);
  });

  test('only the administrator changes a grant; the consumer cannot resume its own', async () => {
    assertStatus(await setGrantState(grant.id, 'suspend'), 200);
    const r = await m.post(`/machi/v1/grants/${enc(grant.id)}/state`, { action: 'resume' }, as(token('consumer')));
    assertStatus(r, 403);
    assert.deepEqual(await visible(app, 'TripRecord'), []);
    assertStatus(await setGrantState(grant.id, 'resume'), 200);
  });

  test('revocation is final', async () => {
    assertStatus(await setGrantState(grant.id, 'revoke'), 200);
    assert.equal(await status(grant.id), 'revoked');
    const refused = await theAccessEntryOf(async () => {
      assert.deepEqual(await visible(app, 'TripRecord', { 'Machi-Grant': grant.id }), []);
    });
    assert.equal(refused.parsed.requestedGrant, grant.id);
    assert.deepEqual(refused.parsed.reasons, { grant_revoked: 4 });
    assertStatus(await setGrantState(grant.id, 'resume'), 400);
    assert.deepEqual(await visible(app, 'TripRecord'), []);
  });

  test('a grant whose validity has ended, or not begun, denies', async () => {
    const expired = await createGrant({ name: 'Expired', validFrom: '2020-01-01T00:00:00Z', validUntil: '2020-02-01T00:00:00Z' });
    assert.equal(expired.status, 'expired');
    const future = await createGrant({ name: 'Future', validFrom: '2099-01-01T00:00:00Z' });
    assert.equal(future.status, 'not_yet_valid');
    for (const g of [expired, future]) {
      const t = await clientToken([g.id], `app for ${g.name}`);
      assert.deepEqual(await visible(t, 'TripRecord'), [], g.name);
      assertStatus(await retrieve(t, 'TripRecord', SUBJECT.alice), 404, g.name);
    }
  });
});

// ---------------------------------------------------------------------------

describe('opt-out', () => {
  let consentApp; // legal basis consent, purpose machi:EnergySaving
  let optOutApp; // legal basis opt_out (third-party provision after notice)
  let a;
  let b;

  before(async () => {
    const types = ['EnergyUsage', 'HealthRecord'];
    a = await createGrant({ name: 'Energy (consent)', recipient: 'Energy Lab', purposes: ['machi:EnergySaving'], entityTypes: types });
    b = await createGrant({
      name: 'Energy (opt-out)',
      recipient: 'Energy Lab',
      purposes: ['machi:EnergySaving'],
      entityTypes: types,
      legalBasis: 'opt_out',
    });
    consentApp = await clientToken([a.id], 'energy consent app');
    optOutApp = await clientToken([b.id], 'energy opt-out app');
  });

  const both = async (type) => [await visible(consentApp, type), await visible(optOutApp, type)];

  test('without a notice nothing flows, whatever the setting', async () => {
    assert.deepEqual(await both('EnergyUsage'), [[], []]);
    const s = await m.put(`/machi/v1/purpose-settings/${enc('machi:EnergySaving')}`, { mode: 'opt_out' });
    assertStatus(s, 200);
    assert.equal(s.json.mode, 'opt_out');
    assert.deepEqual(await both('EnergyUsage'), [[], []]);
  });

  test('with the notice out, data flows without consent; never special-care data', async () => {
    const n = await m.post('/machi/v1/notices', {
      purpose: 'machi:EnergySaving',
      title: '省エネルギーのためのデータ利用について',
      url: 'https://city.example/notices/energy',
    });
    assertStatus(n, 201);
    assert.deepEqual(await both('EnergyUsage'), [[SUBJECT.jack, SUBJECT.kate], [SUBJECT.jack, SUBJECT.kate]]);
    const [byConsent, byOptOut] = await Promise.all([a, b].map(async (g) =>
      accessEntries(await audited(SUBJECT.jack)).filter((e) => e.parsed.grant === g.id).at(-1).parsed));
    assert.deepEqual(byConsent.bases, { consent_opt_out_default: 2 });
    assert.deepEqual(byOptOut.bases, { opt_out: 2 });
    assert.deepEqual(await both('HealthRecord'), [[], []], '要配慮個人情報 never flows by opt-out');
    assertStatus(await retrieve(optOutApp, 'HealthRecord', SUBJECT.jack), 404);
  });

  test('what the city tells everyone is public: its notices and purpose settings', async () => {
    const notices = await m.get('/machi/v1/notices', { auth: false });
    assertStatus(notices, 200);
    const energy = notices.json.filter((x) => x.purpose === 'https://machi.city/ns#EnergySaving');
    assert.equal(energy.length, 1, show(notices));
    assert.equal(energy[0].url, 'https://city.example/notices/energy');
    assert.equal(energy[0].title, '省エネルギーのためのデータ利用について');
    const settings = await m.get('/machi/v1/purpose-settings', { auth: false });
    assertStatus(settings, 200);
    const setting = settings.json.find((x) => x.purpose === 'https://machi.city/ns#EnergySaving');
    assert.equal(setting?.mode, 'opt_out', show(settings));
    // NGSILD-Tenant selects the tenant: another tenant has said nothing yet,
    // and a tenant that does not exist is answered as such
    for (const path of ['/machi/v1/notices', '/machi/v1/purpose-settings']) {
      const other = await m.get(path, { auth: false, headers: { 'NGSILD-Tenant': 'consent-other' } });
      assertStatus(other, 200, `${path} of another tenant`);
      assert.deepEqual(other.json, [], path);
      assertProblem(await m.get(path, { auth: false, headers: { 'NGSILD-Tenant': 'consent-nowhere' } }), 404, 'NonexistentTenant');
      // a token changes nothing
      const signedIn = await m.get(path, as(token('alice')));
      assertStatus(signedIn, 200, path);
      assert.deepEqual(signedIn.json, path.endsWith('notices') ? notices.json : settings.json, path);
    }
  });

  test('until the resident objects', async () => {
    const answer = await consent('kate', SUBJECT.kate, ['machi:EnergySaving'], { events: [{ type: 'refused' }] });
    assert.ok(verifyReceipt(answer.receipts[0], publicKey));
    assert.deepEqual(answer.record.processing.recipients ?? [], [], 'the refusal names no recipient');
    assert.deepEqual(await both('EnergyUsage'), [[SUBJECT.jack], [SUBJECT.jack]]);
    // ... and so it stands against Energy Lab, under either basis
    const kates = accessEntries(await mine('kate'));
    const reason = (g) => subjectIn(kates.filter((e) => e.parsed.grant === g.id).at(-1).parsed, SUBJECT.kate).withheld;
    assert.equal(reason(a), 'refused');
    assert.equal(reason(b), 'objected');
  });

  test('an explicit consent is needed again once the city sets the purpose back to opt-in', async () => {
    assertStatus(await m.put(`/machi/v1/purpose-settings/${enc('machi:EnergySaving')}`, { mode: 'opt_in' }), 200);
    assert.deepEqual(await visible(consentApp, 'EnergyUsage'), []);
  });
});

// ---------------------------------------------------------------------------

describe('statutory duty and emergency', () => {
  const evacuation = {
    name: 'Evacuation support list',
    recipient: 'City disaster prevention office',
    purposes: ['machi:EvacuationSupport'],
    legalBasis: 'statutory',
    entityTypes: ['HealthRecord'],
  };
  const STATUTE = '災害対策基本法 第49条の10（避難行動要支援者名簿の作成）';

  before(async () => {
    // kate objects to this very purpose: a statutory duty goes on, but the
    // override must be on record.
    await consent('kate', SUBJECT.kate, ['machi:EvacuationSupport'], { events: [{ type: 'refused' }] });
  });

  test('a statutory grant must name its duty, and serves city staff only (special-care data included)', async () => {
    assertStatus(await m.post('/machi/v1/grants', { ...evacuation, consumer: people.staff.account.id }), 400, 'without a reason');
    await createGrant({ ...evacuation, consumer: people.staff.account.id, reason: STATUTE });
    assert.deepEqual(await visible(token('staff'), 'HealthRecord'), [SUBJECT.jack, SUBJECT.kate]);
    const contractor = await createGrant({ ...evacuation, name: 'Evacuation (contractor)', reason: STATUTE });
    assert.deepEqual(await visible(token('consumer'), 'HealthRecord', { 'Machi-Grant': contractor.id }), []);
  });

  test('a read that overrides an objection says so in the ledger', async () => {
    const reads = accessEntries(await mine('kate')).filter((e) => e.parsed.legalBasis === 'statutory' && subjectIn(e.parsed, SUBJECT.kate).released);
    assert.equal(reads.length, 1, 'the statutory read of kate is in her ledger');
    const read = reads[0].parsed;
    assert.equal(read.principal.account, people.staff.account.id);
    assert.deepEqual(read.principal.roles, ['city_staff']);
    assert.equal(read.purpose, 'https://machi.city/ns#EvacuationSupport');
    assert.equal(read.recipient, 'City disaster prevention office');
    assert.deepEqual(read.bases, { statutory: 2 });
    assert.equal(read.decision, 'allow');
    // kate finds her tag among the overridden; jack, who never objected, not
    assert.deepEqual(read.objectionOverridden, [subjectIn(read, SUBJECT.kate).tag]);
    assert.ok(subjectIn(read, SUBJECT.jack).released);
    assert.ok(!subjectIn(read, SUBJECT.jack).overridden);
    // the contractor's read (no city staff) released no one, overrode nothing
    const denied = accessEntries(await mine('kate')).filter((e) => e.parsed.legalBasis === 'statutory' && e.parsed.decision === 'deny');
    assert.equal(denied.length, 1);
    assert.equal(subjectIn(denied[0].parsed, SUBJECT.kate).withheld, 'statutory_requires_city_staff');
    assert.equal(denied[0].parsed.objectionOverridden, undefined);
  });

  test('an emergency grant needs a reason and at most 72 hours, and then covers special-care data', async () => {
    const now = Date.now();
    const base = {
      name: 'Heat-stroke emergency',
      recipient: 'Fire department',
      consumer: people.consumer2.account.id,
      purposes: ['machi:EmergencyResponse'],
      legalBasis: 'emergency',
      entityTypes: ['HealthRecord'],
      validFrom: new Date(now - 60_000).toISOString(),
    };
    const until = (h) => new Date(now + h * 3600_000).toISOString();
    assertStatus(await m.post('/machi/v1/grants', { ...base, validUntil: until(1) }), 400, 'no reason');
    assertStatus(await m.post('/machi/v1/grants', { ...base, reason: 'heat wave' }), 400, 'no end');
    assertStatus(await m.post('/machi/v1/grants', { ...base, reason: 'heat wave', validUntil: until(73) }), 400, 'over 72 h');
    const g = await createGrant({ ...base, reason: '熱中症警戒アラート: 独居高齢者の安否確認', validUntil: until(1) });
    assert.deepEqual(await visible(token('consumer2'), 'HealthRecord'), [SUBJECT.jack, SUBJECT.kate]);
    const last = assertAccessEntry((await audited(SUBJECT.jack)).at(-1).parsed);
    assert.equal(last.grant, g.id);
    assert.equal(last.legalBasis, 'emergency');
    assert.deepEqual(last.bases, { emergency: 2 });
    assert.ok(subjectIn(last, SUBJECT.jack).released);
    assert.ok(subjectIn(last, SUBJECT.kate).released);
    // kate refused machi:EvacuationSupport, narrower than this read's
    // purpose: her refusal does not apply, so nothing was overridden
    assert.equal(last.objectionOverridden, undefined, JSON.stringify(last));
  });

  test('an emergency read over an objection to its purpose is logged as overriding it', async () => {
    const now = Date.now();
    const g = await createGrant({
      name: 'Evacuation emergency',
      recipient: 'Fire department',
      consumer: people.consumer2.account.id,
      purposes: ['machi:EvacuationSupport'],
      legalBasis: 'emergency',
      entityTypes: ['HealthRecord'],
      reason: '豪雨による避難指示: 要支援者の所在確認',
      validFrom: new Date(now - 60_000).toISOString(),
      validUntil: new Date(now + 3600_000).toISOString(),
    });
    assert.deepEqual(await visible(token('consumer2'), 'HealthRecord', { 'Machi-Grant': g.id }), [SUBJECT.jack, SUBJECT.kate]);
    const read = accessEntries(await mine('kate')).at(-1).parsed;
    assert.equal(read.grant, g.id);
    assert.deepEqual(read.objectionOverridden, [subjectIn(read, SUBJECT.kate).tag]);
  });
});

// ---------------------------------------------------------------------------

describe('guardians', () => {
  let app;
  let record;

  before(async () => {
    const grant = await createGrant({ name: 'School routes', entityTypes: ['SchoolTrip'], recipient: 'School Board' });
    app = await clientToken([grant.id], 'school app');
  });

  test('a guardian gives consent for their ward', async () => {
    assert.deepEqual(await visible(app, 'SchoolTrip'), []);
    const answer = await consent('parent', SUBJECT.child, ['dpv:ImproveTransportMobility'], {
      events: [{ type: 'given', capacity: 'guardian' }],
      recipients: ['School Board'],
    });
    record = answer.record;
    assert.equal(record.dataSubject, SUBJECT.child);
    assert.equal(record.events[0].actor, people.parent.account.id);
    assert.equal(record.events[0].capacity, 'guardian');
    assert.ok(verifyReceipt(answer.receipts[0], publicKey));
    assert.deepEqual(await visible(app, 'SchoolTrip'), [SUBJECT.child]);
    // the guardian sees the ward's records and data
    const list = await m.get('/machi/v1/consents', as(token('parent')));
    assert.ok(list.json.some((c) => c.id === record.id && c.state === 'given'));
    assert.deepEqual(await visible(token('parent'), 'SchoolTrip'), [SUBJECT.child]);
  });

  test('a stranger cannot consent for the child, nor withdraw, nor see the record', async () => {
    for (const capacity of ['guardian', 'self', 'adult_guardian']) {
      const r = await m.post(
        '/machi/v1/consents',
        consentBody(SUBJECT.child, ['dpv:PublicBenefit'], { events: [{ type: 'given', capacity }] }),
        as(token('frank')),
      );
      assertStatus(r, 403, `stranger as ${capacity}`);
    }
    const w = await m.post(`/machi/v1/consents/${enc(record.id)}/events`, { type: 'withdrawn', capacity: 'guardian' }, as(token('frank')));
    // Someone else's record is answered as missing: its existence is personal.
    assert.ok(w.status === 403 || w.status === 404, show(w));
    assertStatus(await m.get(`/machi/v1/consents/${enc(record.id)}`, as(token('frank'))), 404);
    assertStatus(await m.get(`/machi/v1/consents?subject=${SUBJECT.child}`, as(token('frank'))), 403);
    assertStatus(await m.get(`/machi/v1/ledger/mine?subject=${SUBJECT.child}`, as(token('frank'))), 403);
    assert.deepEqual(await visible(app, 'SchoolTrip'), [SUBJECT.child], 'the consent stands');
  });

  test('a guardianship that has ended gives no right to act', async () => {
    const r = await m.post(
      '/machi/v1/consents',
      consentBody(SUBJECT.child, ['dpv:PublicBenefit'], { events: [{ type: 'given', capacity: 'guardian' }] }),
      as(token('exguardian')),
    );
    assertStatus(r, 403);
    assertStatus(await m.get(`/machi/v1/consents/${enc(record.id)}`, as(token('exguardian'))), 404);
  });

  test('a guardian acts as guardian, not as the child', async () => {
    const r = await m.post(`/machi/v1/consents/${enc(record.id)}/events`, { type: 'withdrawn' }, as(token('parent')));
    assertStatus(r, 403, 'capacity self for a ward');
    assert.deepEqual(await visible(app, 'SchoolTrip'), [SUBJECT.child]);
  });

  test("the guardian's withdrawal bites at once, and the ward's ledger is open to the guardian", async () => {
    const answer = await consentEvent('parent', record.id, { type: 'withdrawn', capacity: 'guardian' });
    assert.ok(verifyReceipt(answer.receipt, publicKey));
    assert.deepEqual(await visible(app, 'SchoolTrip'), []);
    assertStatus(await retrieve(app, 'SchoolTrip', SUBJECT.child), 404);
    const entries = await mine('parent', SUBJECT.child);
    const types = entries.map((e) => e.parsed.type);
    assert.ok(types.includes('consent.given') && types.includes('consent.withdrawn'), types.join(','));
    const reads = accessEntries(entries);
    assert.ok(reads.some((e) => e.parsed.recipient === 'School Board' && subjectIn(e.parsed, SUBJECT.child).released));
    assert.ok(reads.some((e) => e.parsed.recipient === 'School Board' && subjectIn(e.parsed, SUBJECT.child).withheld === 'withdrawn'));
    // the guardian's own read of the child's data is there too, as theirs
    assert.ok(reads.some((e) => e.parsed.principal.account === people.parent.account.id && e.parsed.bases?.data_subject_access === 1));
    for (const e of reads) assert.ok(subjectIn(e.parsed, SUBJECT.child).named, e.entry);
    // the parent's own ledger is a separate subject
    const own = accessEntries(await mine('parent'));
    assert.ok(own.every((e) => !subjectIn(e.parsed, SUBJECT.child).named));
  });
});

// ---------------------------------------------------------------------------

describe('the ledger only grew', () => {
  test('a consistency proof links the head seen mid-way to the last one', async () => {
    assert.ok(savedHead, 'a head was saved');
    const last = await head();
    assert.ok(verifyHeadSignature(last, publicKey));
    assert.ok(last.size > savedHead.size, `${savedHead.size} -> ${last.size}`);
    const c = await m.get(`/machi/v1/ledger/consistency?first=${savedHead.size}&second=${last.size}`, { auth: false });
    assertStatus(c, 200);
    assert.ok(verifyConsistency(savedHead.size, last.size, savedHead.root, last.root, c.json.proof));
    assert.equal(verifyConsistency(savedHead.size, last.size, last.root, savedHead.root, c.json.proof), false);
  });
});
