// The authorization matrix: every role (and anonymous) x every endpoint ->
// allow or deny, over HTTP against a real server.
//
// The EXPECTED table below is written from the intent, not copied
// from src/api/endpoint_policy.cc: residents and consumers read NGSI-LD,
// data writers (provider, city_staff, admin) write; the administrator
// manages tenants, accounts, the organization chart, personal types, purpose
// settings and grants; residents manage their own consents; auditors read
// ledger entries and consent records; tree heads and proofs are public so
// that anyone can verify the ledger. Every route `machi serve` registers
// (`machi routes`) must have a row here, so a new endpoint cannot ship
// unclassified.
//
// deny  -> 403 for a signed-in role, 401 for anonymous;
// allow -> anything but 401/403 (a 400/404 from the handler means the
//          request got past authorization).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { BIN, Machi, ADMIN_PASSWORD } from './lib/machi.mjs';
import { ROLES, accountWithToken, as, passwordToken } from './lib/trust.mjs';
import { pool, show } from './lib/util.mjs';

const PUBLIC = 'public';
const ANY = ROLES; // every signed-in role
const WRITERS = ['provider', 'city_staff', 'admin'];
const ADMIN = ['admin'];

const NONE_ENTITY = encodeURIComponent('urn:ngsi-ld:Thing:authz-nonexistent');
const E = `/ngsi-ld/v1/entities/${NONE_ENTITY}`;
const V2E = '/v2/entities/authz-nonexistent';

// "METHOD PATTERN" -> { allow, path (parameters filled with plausible
// values; defaults to the pattern), body (JSON; {} for writes unless given) }.
// Bodies are chosen so that an authorized call fails validation or finds
// nothing: the matrix must not change the state other cells see.
const MATRIX = {
  'GET /health': { allow: PUBLIC },

  // NGSI-LD reads: everyone signed in (personal data only through the
  // enforcement point, tested in consent.test.mjs).
  'GET /ngsi-ld/v1/entities': { allow: ANY, path: '/ngsi-ld/v1/entities?type=Thing' },
  'GET /ngsi-ld/v1/entities/{id}': { allow: ANY, path: E },
  'POST /ngsi-ld/v1/entityOperations/query': { allow: ANY, body: { type: 'Query', entities: [{ type: 'Thing' }] } },
  'GET /ngsi-ld/v1/types': { allow: ANY },
  'GET /ngsi-ld/v1/types/{type}': { allow: ANY, path: '/ngsi-ld/v1/types/Thing' },
  'GET /ngsi-ld/v1/attributes': { allow: ANY },
  'GET /ngsi-ld/v1/attributes/{attr}': { allow: ANY, path: '/ngsi-ld/v1/attributes/nothing' },
  'GET /ngsi-ld/v1/jsonldContexts': { allow: ANY },
  'GET /ngsi-ld/v1/jsonldContexts/{id}': { allow: ANY, path: '/ngsi-ld/v1/jsonldContexts/nothing' },

  // NGSI-LD writes: those who put data into the hub.
  'POST /ngsi-ld/v1/entities': { allow: WRITERS, body: { type: 'Thing' } }, // no id: 400
  'DELETE /ngsi-ld/v1/entities/{id}': { allow: WRITERS, path: E },
  'PATCH /ngsi-ld/v1/entities/{id}': { allow: WRITERS, path: E },
  'PUT /ngsi-ld/v1/entities/{id}': { allow: WRITERS, path: E },
  'POST /ngsi-ld/v1/entities/{id}/attrs': { allow: WRITERS, path: `${E}/attrs` },
  'PATCH /ngsi-ld/v1/entities/{id}/attrs': { allow: WRITERS, path: `${E}/attrs` },
  'PATCH /ngsi-ld/v1/entities/{id}/attrs/{attr}': { allow: WRITERS, path: `${E}/attrs/level` },
  'PUT /ngsi-ld/v1/entities/{id}/attrs/{attr}': { allow: WRITERS, path: `${E}/attrs/level` },
  'DELETE /ngsi-ld/v1/entities/{id}/attrs/{attr}': { allow: WRITERS, path: `${E}/attrs/level` },
  'POST /ngsi-ld/v1/entityOperations/create': { allow: WRITERS, body: {} },
  'POST /ngsi-ld/v1/entityOperations/upsert': { allow: WRITERS, body: {} },
  'POST /ngsi-ld/v1/entityOperations/update': { allow: WRITERS, body: {} },
  'POST /ngsi-ld/v1/entityOperations/merge': { allow: WRITERS, body: {} },
  'POST /ngsi-ld/v1/entityOperations/delete': { allow: WRITERS, body: {} },
  'POST /ngsi-ld/v1/jsonldContexts': { allow: WRITERS, body: {} },
  'DELETE /ngsi-ld/v1/jsonldContexts/{id}': { allow: WRITERS, path: '/ngsi-ld/v1/jsonldContexts/nothing' },

  // Temporal: history reads like entity reads, history writes like writes.
  'GET /ngsi-ld/v1/temporal/entities': { allow: ANY, path: '/ngsi-ld/v1/temporal/entities?type=Thing' },
  'GET /ngsi-ld/v1/temporal/entities/{id}': { allow: ANY, path: `/ngsi-ld/v1/temporal/entities/${NONE_ENTITY}` },
  'POST /ngsi-ld/v1/temporal/entityOperations/query': { allow: ANY, body: { type: 'Query', entities: [{ type: 'Thing' }] } },
  'POST /ngsi-ld/v1/temporal/entities': { allow: WRITERS, body: { type: 'Thing' } }, // no id: 400
  'DELETE /ngsi-ld/v1/temporal/entities/{id}': { allow: WRITERS, path: `/ngsi-ld/v1/temporal/entities/${NONE_ENTITY}` },
  'POST /ngsi-ld/v1/temporal/entities/{id}/attrs': { allow: WRITERS, path: `/ngsi-ld/v1/temporal/entities/${NONE_ENTITY}/attrs` },
  'DELETE /ngsi-ld/v1/temporal/entities/{id}/attrs/{attr}': { allow: WRITERS, path: `/ngsi-ld/v1/temporal/entities/${NONE_ENTITY}/attrs/level` },

  'GET /machi/v1/series': { allow: ANY, path: '/machi/v1/series?type=Thing&groupBy=district&aggrMethods=avg' },
  'GET /machi/v1/history-retention': { allow: ANY },
  'PUT /machi/v1/history-retention/{type}': { allow: ADMIN, path: '/machi/v1/history-retention/Thing', body: { days: 0 } }, // 400
  'DELETE /machi/v1/history-retention/{type}': { allow: ADMIN, path: '/machi/v1/history-retention/Nothing' }, // 404

  // NGSIv2 (Orion compatibility): the same roles as the equivalent NGSI-LD
  // routes; everyone signed in reads, data writers write. Registrations of
  // context providers: read like NGSI-LD discovery, written by data writers.
  'GET /v2': { allow: ANY },
  'GET /v2/entities': { allow: ANY, path: '/v2/entities?type=Thing' },
  'GET /v2/entities/{id}': { allow: ANY, path: V2E },
  'GET /v2/entities/{id}/attrs': { allow: ANY, path: `${V2E}/attrs` },
  'GET /v2/entities/{id}/attrs/{attr}': { allow: ANY, path: `${V2E}/attrs/level` },
  'GET /v2/entities/{id}/attrs/{attr}/value': { allow: ANY, path: `${V2E}/attrs/level/value` },
  'POST /v2/op/query': { allow: ANY, body: { entities: [{ idPattern: '.*', type: 'Thing' }] } },
  'GET /v2/types': { allow: ANY },
  'GET /v2/types/{type}': { allow: ANY, path: '/v2/types/Thing' },
  'GET /v2/registrations': { allow: ANY },
  'GET /v2/registrations/{id}': { allow: ANY, path: '/v2/registrations/000000000000000000000000' },
  'POST /v2/entities': { allow: WRITERS, body: { type: 'Thing' } }, // no id: 400
  'DELETE /v2/entities/{id}': { allow: WRITERS, path: V2E },
  'POST /v2/entities/{id}/attrs': { allow: WRITERS, path: `${V2E}/attrs` },
  'PATCH /v2/entities/{id}/attrs': { allow: WRITERS, path: `${V2E}/attrs` },
  'PUT /v2/entities/{id}/attrs': { allow: WRITERS, path: `${V2E}/attrs` },
  'PUT /v2/entities/{id}/attrs/{attr}': { allow: WRITERS, path: `${V2E}/attrs/level` },
  'DELETE /v2/entities/{id}/attrs/{attr}': { allow: WRITERS, path: `${V2E}/attrs/level` },
  'PUT /v2/entities/{id}/attrs/{attr}/value': { allow: WRITERS, path: `${V2E}/attrs/level/value` },
  'POST /v2/op/update': { allow: WRITERS, body: {} }, // no actionType: 400
  'POST /v2/registrations': { allow: WRITERS, body: {} }, // no dataProvided: 400
  'PATCH /v2/registrations/{id}': { allow: WRITERS, path: '/v2/registrations/000000000000000000000000' },
  'DELETE /v2/registrations/{id}': { allow: WRITERS, path: '/v2/registrations/000000000000000000000000' },

  // Subscriptions: everyone signed in, like the queries (each sees only
  // their own; personal data only under a grant, tested in
  // subscriptions-personal.test.mjs). Bodies fail validation, ids are unknown.
  'GET /ngsi-ld/v1/subscriptions': { allow: ANY },
  'POST /ngsi-ld/v1/subscriptions': { allow: ANY, body: { type: 'Subscription' } },
  'GET /ngsi-ld/v1/subscriptions/{id}': { allow: ANY, path: '/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:none' },
  'PATCH /ngsi-ld/v1/subscriptions/{id}': { allow: ANY, path: '/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:none' },
  'DELETE /ngsi-ld/v1/subscriptions/{id}': { allow: ANY, path: '/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:none' },
  // NGSIv2 subscriptions: the same roles as NGSI-LD's.
  'GET /v2/subscriptions': { allow: ANY },
  'POST /v2/subscriptions': { allow: ANY, body: {} }, // no subject: 400
  'GET /v2/subscriptions/{id}': { allow: ANY, path: '/v2/subscriptions/000000000000000000000000' },
  'PATCH /v2/subscriptions/{id}': { allow: ANY, path: '/v2/subscriptions/000000000000000000000000' },
  'DELETE /v2/subscriptions/{id}': { allow: ANY, path: '/v2/subscriptions/000000000000000000000000' },

  // IoT ingestion (IoT Agent provisioning API): data writers, reads too
  // (apikeys are the devices' shared secrets). Bodies fail validation,
  // services and devices are unknown.
  'GET /iot/about': { allow: WRITERS },
  'POST /iot/services': { allow: WRITERS, body: {} }, // no services: 400
  'GET /iot/services': { allow: WRITERS },
  'PUT /iot/services': { allow: WRITERS, path: '/iot/services?resource=/iot/json&apikey=authz-none' }, // 404
  'DELETE /iot/services': { allow: WRITERS, path: '/iot/services?resource=/iot/json&apikey=authz-none' }, // 404
  'POST /iot/devices': { allow: WRITERS, body: {} }, // no devices: 400
  'GET /iot/devices': { allow: WRITERS },
  'GET /iot/devices/{id}': { allow: WRITERS, path: '/iot/devices/authz-none' },
  'PUT /iot/devices/{id}': { allow: WRITERS, path: '/iot/devices/authz-none' },
  'DELETE /iot/devices/{id}': { allow: WRITERS, path: '/iot/devices/authz-none' },

  // Authentication: the token endpoint and the public keys are open.
  'POST /machi/v1/auth/token': { allow: PUBLIC, body: {} }, // not a form: 400
  'GET /machi/v1/auth/jwks': { allow: PUBLIC },
  'GET /machi/v1/auth/me': { allow: ANY },
  'POST /machi/v1/auth/revoke': { allow: ANY, last: true }, // revokes the caller's token: run last

  // Tenants, accounts, the organization chart: the administrator.
  'POST /machi/v1/tenants': { allow: ADMIN, body: {} },
  'GET /machi/v1/accounts': { allow: ADMIN },
  'POST /machi/v1/accounts': { allow: ADMIN, body: {} },
  'GET /machi/v1/accounts/{id}': { allow: ADMIN, path: '/machi/v1/accounts/acc-0000000000000000' },
  'PATCH /machi/v1/accounts/{id}': { allow: ADMIN, path: '/machi/v1/accounts/acc-0000000000000000' },
  'DELETE /machi/v1/accounts/{id}': { allow: ADMIN, path: '/machi/v1/accounts/acc-0000000000000000' },
  'GET /machi/v1/posts': { allow: ADMIN },
  'POST /machi/v1/posts': { allow: ADMIN, body: {} },
  'POST /machi/v1/assignments': { allow: ADMIN, body: {} },
  'PATCH /machi/v1/assignments/{id}': { allow: ADMIN, path: '/machi/v1/assignments/asg-0000000000000000' },
  // Consumers manage the credentials of their own applications.
  'GET /machi/v1/clients': { allow: ['consumer', 'admin'] },
  'POST /machi/v1/clients': { allow: ['consumer', 'admin'], body: {} },
  'DELETE /machi/v1/clients/{id}': { allow: ['consumer', 'admin'], path: '/machi/v1/clients/nothing' },

  // Personal data, purposes, consent. The purpose catalogue is public (what
  // a resident may be asked to consent to is no secret).
  'GET /machi/v1/purposes': { allow: PUBLIC },
  'GET /machi/v1/personal-types': { allow: ANY },
  'PUT /machi/v1/personal-types/{type}': {
    allow: ADMIN,
    path: '/machi/v1/personal-types/Thing',
    body: { personal: 'not a boolean' },
  },
  // What the city asks and tells every resident is public: the opt-in or
  // opt-out setting per purpose and the notices an opt-out rests on.
  'GET /machi/v1/purpose-settings': { allow: PUBLIC },
  'PUT /machi/v1/purpose-settings/{purpose}': { allow: ADMIN, path: '/machi/v1/purpose-settings/dpv:PublicBenefit' },
  'GET /machi/v1/notices': { allow: PUBLIC },
  // The city publishes notices: its staff and the administrator.
  'POST /machi/v1/notices': { allow: ['city_staff', 'admin'], body: {} },
  // A resident's own consent records; auditors read them (no one else, not
  // even the administrator: whether someone consented is personal).
  'GET /machi/v1/consents': { allow: ['resident', 'auditor'] },
  'POST /machi/v1/consents': { allow: ['resident'], body: {} },
  'GET /machi/v1/consents/{id}': { allow: ['resident', 'auditor'], path: '/machi/v1/consents/consent-none' },
  'POST /machi/v1/consents/{id}/events': { allow: ['resident'], path: '/machi/v1/consents/consent-none/events' },
  // Grants: the administrator approves (until the ethics committee of part
  // 2); those who oversee (auditor, ethics member) and consumers (their own)
  // read them.
  'GET /machi/v1/grants': { allow: ['admin', 'auditor', 'ethics_member', 'consumer'] },
  'POST /machi/v1/grants': { allow: ADMIN, body: {} },
  'GET /machi/v1/grants/{id}': {
    allow: ['admin', 'auditor', 'ethics_member', 'consumer'],
    path: '/machi/v1/grants/grant-0000000000000000',
  },
  'POST /machi/v1/grants/{id}/state': { allow: ADMIN, path: '/machi/v1/grants/grant-0000000000000000/state' },

  // The ledger: heads and proofs public (anyone verifies); entry texts for
  // the residents they are about and for auditors.
  'GET /machi/v1/ledger/head': { allow: PUBLIC },
  'GET /machi/v1/ledger/proof': { allow: PUBLIC }, // no index: 400
  'GET /machi/v1/ledger/consistency': { allow: PUBLIC }, // no first: 400
  'GET /machi/v1/ledger/entries/{index}': { allow: ['resident', 'auditor'], path: '/machi/v1/ledger/entries/999999999' },
  'GET /machi/v1/ledger/mine': { allow: ['resident'] },
  'GET /machi/v1/ledger/subjects/{subject}': { allow: ['auditor'], path: '/machi/v1/ledger/subjects/nobody' },
  // A resident's right to erasure is carried out by the administrator (the
  // city, on the resident's request), like every other change of records.
  'POST /machi/v1/ledger/erasures': { allow: ADMIN, body: {} }, // no subject: 400, nothing erased
};

// Cells where this table knowingly disagrees with the server; each one is
// reported as a todo (see the report), so the suite stays green while the
// disagreement stays visible. "METHOD PATTERN|role" -> why.
const DISAGREEMENTS = {};

function serverRoutes() {
  const text = execFileSync(BIN, ['routes'], { encoding: 'utf8' });
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

function cellRequest(key, row) {
  const [method, pattern] = key.split(' ');
  const path = row.path ?? pattern;
  const writes = method === 'POST' || method === 'PUT' || method === 'PATCH';
  const body = row.body ?? (writes ? {} : undefined);
  return { method, path, body };
}

function allowed(row, role) {
  if (row.allow === PUBLIC) return true;
  return role !== 'anonymous' && row.allow.includes(role);
}

function verdictProblem(key, role, expectAllow, r) {
  if (expectAllow) {
    if (r.status === 401 || r.status === 403) return `${key} as ${role}: expected allow, got ${show(r)}`;
    return null;
  }
  const want = role === 'anonymous' ? 401 : 403;
  if (r.status !== want) return `${key} as ${role}: expected deny (${want}), got ${show(r)}`;
  return null;
}

const claimsOf = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
const sleepUntil = async (ms) => {
  const wait = ms - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
};

let m;
let expiring; // a second server, whose tokens live two seconds
let expiringToken;
let expiringIssuedExp; // the token's exp claim, in ms
const tokens = {}; // role -> bearer token

before(async () => {
  m = new Machi();
  expiring = new Machi({ args: ['--token-lifetime', '2'] });
  await Promise.all([m.start(), expiring.start()]);
  // A token of the short-lived server, long expired when its test runs.
  expiringToken = await passwordToken(expiring, 'admin', ADMIN_PASSWORD);
  expiringIssuedExp = claimsOf(expiringToken).exp * 1000;
  const fresh = await expiring.get('/machi/v1/auth/me', as(expiringToken));
  assert.equal(fresh.status, 200, `a fresh two-second token: ${show(fresh)}`);
  await pool(ROLES, 4, async (role) => {
    const { token } = await accountWithToken(m, {
      username: `authz-${role}`,
      roles: [role],
      subject: role === 'resident' ? 'authz-resident-subject' : undefined,
    });
    tokens[role] = token;
  });
});

after(async () => {
  for (const server of [m, expiring]) {
    if (!server) continue;
    await server.stop();
    server.cleanup();
  }
});

describe('the matrix covers every route', () => {
  test('every route of `machi routes` has a row in the expected matrix', () => {
    const routes = serverRoutes();
    assert.ok(routes.length > 40, `machi routes printed only ${routes.length} lines`);
    const missing = routes.filter((r) => !(r in MATRIX));
    assert.deepEqual(missing, [], `routes without an expected row (classify them in MATRIX): ${missing.join(', ')}`);
  });

  test('every row of the matrix is a registered route', () => {
    const routes = new Set(serverRoutes());
    const stale = Object.keys(MATRIX).filter((k) => !routes.has(k));
    assert.deepEqual(stale, [], `rows for routes machi no longer has: ${stale.join(', ')}`);
  });
});

describe('every role x every endpoint', () => {
  // The revoking endpoint last: it ends the caller's token.
  const keys = Object.keys(MATRIX).sort((a, b) => Number(!!MATRIX[a].last) - Number(!!MATRIX[b].last));
  for (const key of keys) {
    const row = MATRIX[key];
    const expectation = ['anonymous', ...ROLES].map((role) => `${role}:${allowed(row, role) ? 'allow' : 'deny'}`);
    const todo = ['anonymous', ...ROLES]
      .map((role) => DISAGREEMENTS[`${key}|${role}`])
      .filter(Boolean)
      .join('; ');
    test(`${key}`, { todo: todo || undefined }, async () => {
      const { method, path, body } = cellRequest(key, row);
      const problems = [];
      await pool(['anonymous', ...ROLES], 3, async (role) => {
        const options = role === 'anonymous' ? { auth: false } : as(tokens[role]);
        const r = await m.request(method, path, { ...options, body });
        const problem = verdictProblem(key, role, allowed(row, role), r);
        if (problem) problems.push(problem);
        if (role === 'anonymous' && !allowed(row, role)) {
          assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/i, `${key}: 401 without WWW-Authenticate`);
        }
      });
      assert.deepEqual(problems, [], `${expectation.join(' ')}\n${problems.join('\n')}`);
    });
  }
});

describe('tenants', () => {
  const OTHER = 'authz-other';
  let otherAdmin;

  before(async () => {
    // A second tenant, with its own administrator (created by the default one).
    otherAdmin = await m.adminToken(OTHER);
    // The revoke column above ended the role tokens: log in again.
    await pool(ROLES, 4, async (role) => {
      tokens[role] = await passwordToken(m, `authz-${role}`);
    });
  });

  test("a token of the default tenant is refused on every non-public endpoint of another tenant", async () => {
    const problems = [];
    const keys = Object.keys(MATRIX).filter((k) => MATRIX[k].allow !== PUBLIC);
    for (const role of ROLES) {
      await pool(keys, 4, async (key) => {
        const { method, path, body } = cellRequest(key, MATRIX[key]);
        const r = await m.request(method, path, { ...as(tokens[role], { 'NGSILD-Tenant': OTHER }), body });
        if (r.status !== 401 && r.status !== 403) problems.push(`${key} as ${role} of the default tenant in ${OTHER}: ${show(r)}`);
      });
    }
    assert.deepEqual(problems, [], problems.join('\n'));
    // and the tokens still work at home (revoke was refused above, not executed)
    assert.equal((await m.get('/machi/v1/auth/me', as(tokens.resident))).status, 200);
  });

  test("another tenant's administrator is refused in the default tenant", async () => {
    for (const [method, path, body] of [
      ['GET', '/machi/v1/accounts'],
      ['POST', '/machi/v1/accounts', { username: 'intruder', password: 'intruder-password-1', roles: ['admin'] }],
      ['GET', '/ngsi-ld/v1/entities?type=Thing'],
      ['POST', '/ngsi-ld/v1/entities', { id: 'urn:ngsi-ld:Thing:intruder', type: 'Thing' }],
      ['GET', '/machi/v1/grants'],
      ['GET', '/machi/v1/auth/me'],
    ]) {
      const r = await m.request(method, path, { ...as(otherAdmin), body });
      assert.ok(r.status === 401 || r.status === 403, `${method} ${path} with tenant ${OTHER}'s admin token: ${show(r)}`);
    }
    // nothing was created
    const accounts = await m.get('/machi/v1/accounts');
    assert.ok(!accounts.json.some((a) => a.username === 'intruder'), 'the intruder account was created');
  });

  test("the default tenant's administrator is no administrator of another tenant", async () => {
    const r = await m.request('GET', '/machi/v1/accounts', as(await m.adminToken(''), { 'NGSILD-Tenant': OTHER }));
    assert.ok(r.status === 401 || r.status === 403, show(r));
    // ... while the tenant's own administrator is
    const own = await m.request('GET', '/machi/v1/accounts', as(otherAdmin, { 'NGSILD-Tenant': OTHER }));
    assert.equal(own.status, 200, show(own));
    const names = own.json.map((a) => a.username);
    assert.ok(names.includes('admin'));
    assert.ok(!names.some((n) => n.startsWith('authz-')), `default tenant accounts listed in ${OTHER}: ${names}`);
  });

  test("only the default tenant's administrator creates tenants", async () => {
    const r = await m.request('POST', '/machi/v1/tenants', {
      ...as(otherAdmin, { 'NGSILD-Tenant': OTHER }),
      body: { name: 'authz-third', admin: { username: 'admin', password: ADMIN_PASSWORD } },
    });
    assert.equal(r.status, 403, show(r));
  });

  test("on a public endpoint another tenant's token counts for nothing (anonymous), not as its bearer", async () => {
    const r = await m.request('GET', '/machi/v1/ledger/head', as(tokens.auditor, { 'NGSILD-Tenant': OTHER }));
    assert.equal(r.status, 200, show(r));
    assert.equal(r.json.size, 0, `tenant ${OTHER}'s ledger should be empty: ${show(r)}`);
  });

  test('a token for a tenant that does not exist is not accepted', async () => {
    const r = await m.get('/ngsi-ld/v1/entities?type=Thing', as(tokens.resident, { 'NGSILD-Tenant': 'authz-nowhere' }));
    assert.ok([401, 403, 404].includes(r.status), show(r));
  });
});

describe('token lifetime', () => {
  test('garbage, a wrong scheme and a tampered token are 401', async () => {
    for (const authorization of ['Bearer not-a-jwt', 'Basic YWRtaW46eA==', `Bearer ${tokens.admin.slice(0, -4)}AAAA`, 'Bearer ']) {
      const r = await m.get('/machi/v1/auth/me', { headers: { Authorization: authorization } });
      assert.equal(r.status, 401, `${authorization.slice(0, 20)}: ${show(r)}`);
    }
  });

  test('a revoked token is 401 at once', async () => {
    const token = await passwordToken(m, 'authz-consumer');
    assert.equal((await m.get('/machi/v1/auth/me', as(token))).status, 200);
    assert.equal((await m.post('/machi/v1/auth/revoke', undefined, as(token))).status, 204);
    const r = await m.get('/machi/v1/auth/me', as(token));
    assert.equal(r.status, 401, show(r));
  });

  test('a disabled account is refused at the next request of a token issued before', async () => {
    const { account, token } = await accountWithToken(m, { username: 'authz-disabled', roles: ['provider'] });
    assert.equal((await m.get('/machi/v1/auth/me', as(token))).status, 200);
    assert.equal((await m.delete(`/machi/v1/accounts/${account.id}`)).status, 204);
    const r = await m.get('/ngsi-ld/v1/entities?type=Thing', as(token));
    assert.equal(r.status, 401, show(r));
  });

  test('a role taken away bites at the next request', async () => {
    const { account, token } = await accountWithToken(m, { username: 'authz-demoted', roles: ['provider'] });
    const entity = { id: 'urn:ngsi-ld:Thing:authz-demoted', type: 'Thing', level: { type: 'Property', value: 1 } };
    assert.equal((await m.post('/ngsi-ld/v1/entities', entity, as(token))).status, 201);
    assert.equal((await m.patch(`/machi/v1/accounts/${account.id}`, { roles: ['resident'] })).status, 200);
    const r = await m.post('/ngsi-ld/v1/entities', { ...entity, id: 'urn:ngsi-ld:Thing:authz-demoted2' }, as(token));
    assert.equal(r.status, 403, show(r));
  });

  test('a token is refused from its exp on, with no leeway (--token-lifetime 2)', async () => {
    // machi checks its own tokens on its own clock: they expire exactly at
    // exp (the clock-skew leeway is for external issuers' tokens only)
    const token = await passwordToken(expiring, 'admin', ADMIN_PASSWORD);
    const { iat, exp } = claimsOf(token);
    assert.equal(exp - iat, 2, 'exp = iat + the lifetime');
    // iat is the issuing second, so at least one second of life is left
    await sleepUntil(exp * 1000 - 500);
    const before = await expiring.get('/machi/v1/auth/me', as(token));
    assert.equal(before.status, 200, `half a second before exp: ${show(before)}`);
    await sleepUntil(exp * 1000 + 100);
    const me = await expiring.get('/machi/v1/auth/me', as(token));
    assert.equal(me.status, 401, `just past exp: ${show(me)}`);
    assert.match(me.headers.get('www-authenticate') ?? '', /^Bearer/i);
    const read = await expiring.get('/ngsi-ld/v1/entities?type=Thing', as(token));
    assert.equal(read.status, 401, show(read));
    // the token issued before the matrix ran has long expired as well
    assert.ok(Date.now() > expiringIssuedExp);
    const old = await expiring.get('/machi/v1/auth/me', as(expiringToken));
    assert.equal(old.status, 401, show(old));
    // a fresh login still works
    const fresh = await passwordToken(expiring, 'admin', ADMIN_PASSWORD);
    assert.equal((await expiring.get('/machi/v1/auth/me', as(fresh))).status, 200);
  });
});
