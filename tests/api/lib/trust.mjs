// Helpers for the authentication, consent and ledger tests: accounts,
// tokens, and an independent check of signed consent receipts.
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';

// A password that passes machi's strength check (10+ characters, not the
// username, not one repeated character).
export const PASSWORD = 'correct-horse-battery-9';

export const ROLES = ['resident', 'city_staff', 'coordinator', 'ethics_member', 'auditor', 'provider', 'consumer', 'admin'];

function describe(r) {
  return `HTTP ${r.status} ${r.text?.slice(0, 400)}`;
}

// Request options carrying an explicit bearer token (and extra headers).
export function as(token, headers = {}) {
  return { headers: { Authorization: `Bearer ${token}`, ...headers } };
}

// POST /machi/v1/accounts as the tenant's administrator; returns the account.
export async function createAccount(m, { username, roles = [], subject, wards, password = PASSWORD, tenant = '' }) {
  const body = { username, password, roles };
  if (subject !== undefined) body.subject = subject;
  if (wards !== undefined) body.wards = wards;
  const headers = tenant ? { 'NGSILD-Tenant': tenant } : {};
  const r = await m.post('/machi/v1/accounts', body, { headers });
  assert.equal(r.status, 201, `create account ${username}: ${describe(r)}`);
  return r.json;
}

// grant_type=password; returns the access token.
export async function passwordToken(m, username, password = PASSWORD, tenant = '') {
  const r = await m.login(username, password, tenant);
  assert.equal(r.status, 200, `login ${username}: ${r.status} ${JSON.stringify(r.json)}`);
  assert.equal(typeof r.json.access_token, 'string');
  return r.json.access_token;
}

// An account with roles, logged in: {account, token}.
export async function accountWithToken(m, fields) {
  const account = await createAccount(m, fields);
  const token = await passwordToken(m, fields.username, fields.password ?? PASSWORD, fields.tenant ?? '');
  return { account, token };
}

// grant_type=client_credentials; returns the raw {status, json}.
export async function clientCredentials(m, clientId, clientSecret, tenant = '') {
  const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (tenant) headers['NGSILD-Tenant'] = tenant;
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
  const r = await fetch(`${m.base}/machi/v1/auth/token`, { method: 'POST', headers, body: body.toString() });
  return { status: r.status, json: await r.json().catch(() => undefined) };
}

// Canonical JSON as machi signs receipts (docs: keys sorted, no whitespace,
// UTF-8 as is). Written here from that description, not from the C++.
export function canonicalJson(value) {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function ed25519Verify(publicKeyBase64, message, signatureBase64) {
  const raw = Buffer.from(publicKeyBase64, 'base64');
  if (raw.length !== 32) return false;
  const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  return verify(null, Buffer.from(message, 'utf8'), key, Buffer.from(signatureBase64, 'base64'));
}

// True when the receipt's Ed25519 signature (over the canonical JSON of the
// receipt without "signature") verifies with its keyId, and, when given,
// that key is the pinned one.
export function verifyReceipt(receipt, pinnedPublicKey) {
  const { signature, ...body } = receipt ?? {};
  if (!signature || signature.alg !== 'Ed25519' || typeof signature.value !== 'string') return false;
  if (pinnedPublicKey !== undefined && signature.keyId !== pinnedPublicKey) return false;
  return ed25519Verify(signature.keyId, canonicalJson(body), signature.value);
}

export function sha256Hex(text) {
  return createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');
}

// ---- access ledger entries (docs/ledger.md, "Entry texts") ----

const HEX16 = /^[0-9a-f]{32}$/;

// How an access entry names a resident: the first 16 bytes, in hex, of
// SHA-256(subjectKey bytes || pseudonym as UTF-8). Written from the docs.
export function subjectTag(subjectKey, pseudonym) {
  assert.match(subjectKey, HEX16, 'subjectKey is 16 bytes in hex');
  return createHash('sha256')
    .update(Buffer.from(subjectKey, 'hex'))
    .update(Buffer.from(pseudonym, 'utf8'))
    .digest('hex')
    .slice(0, 32);
}

// Where a resident stands in a parsed access entry, found as the resident
// finds it: by computing their own tag with the entry's key.
export function subjectIn(entry, pseudonym) {
  const tag = subjectTag(entry.subjectKey, pseudonym);
  const withheld = entry.withheld.filter((w) => w.subject === tag);
  return {
    tag,
    released: entry.released.includes(tag),
    withheld: withheld[0]?.reason, // the reason, or undefined
    overridden: (entry.objectionOverridden ?? []).includes(tag),
    named: entry.released.includes(tag) || withheld.length > 0 || (entry.objectionOverridden ?? []).includes(tag),
  };
}

// The members of an access entry, in the documented order.
const ACCESS_MEMBERS = [
  'type', 'time', 'principal', 'action', 'grant', 'grantName', 'recipient', 'legalBasis', 'requestedGrant', 'purpose',
  'decision', 'subjectKey', 'released', 'withheld', 'withheldCount', 'objectionOverridden', 'bases', 'reasons',
];

const total = (counts) => Object.values(counts ?? {}).reduce((a, b) => a + b, 0);

// Checks the documented shape of a parsed access entry; returns it.
export function assertAccessEntry(entry) {
  const text = JSON.stringify(entry);
  assert.equal(entry.type, 'access', text);
  const keys = Object.keys(entry);
  const unknown = keys.filter((k) => !ACCESS_MEMBERS.includes(k));
  assert.deepEqual(unknown, [], `undocumented members: ${text}`);
  const order = keys.map((k) => ACCESS_MEMBERS.indexOf(k));
  assert.deepEqual(order, [...order].sort((a, b) => a - b), `members out of the documented order: ${text}`);
  for (const k of ['time', 'principal', 'action', 'decision', 'subjectKey', 'released', 'withheld']) {
    assert.ok(k in entry, `no ${k}: ${text}`);
  }
  assert.match(entry.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, text);
  assert.match(entry.subjectKey, HEX16, text);
  assert.ok(Array.isArray(entry.released) && entry.released.every((t) => HEX16.test(t)), text);
  assert.equal(new Set(entry.released).size, entry.released.length, `a released tag twice: ${text}`);
  assert.ok(Array.isArray(entry.withheld), text);
  for (const w of entry.withheld) {
    assert.deepEqual(Object.keys(w), ['subject', 'reason'], text);
    assert.match(w.subject, HEX16, text);
    assert.equal(typeof w.reason, 'string', text);
  }
  assert.equal(new Set(entry.withheld.map((w) => w.subject)).size, entry.withheld.length, `a withheld tag twice: ${text}`);
  if ('objectionOverridden' in entry) {
    assert.ok(entry.objectionOverridden.length > 0, `an empty objectionOverridden: ${text}`);
    assert.ok(entry.objectionOverridden.every((t) => entry.released.includes(t)), `overridden but not released: ${text}`);
  }
  // a grant is named with all it says, or not at all
  const granted = ['grant', 'grantName', 'recipient', 'legalBasis', 'purpose'].filter((k) => k in entry);
  assert.ok(granted.length === 0 || granted.length === 5, `grant members incomplete: ${text}`);
  if ('requestedGrant' in entry) assert.ok(!('grant' in entry), `requestedGrant beside a usable grant: ${text}`);
  if (!('grant' in entry)) assert.deepEqual(entry.withheld, [], `a refused request names subjects: ${text}`);
  // the decision and the counts agree
  const withheldEntities = total(entry.reasons);
  assert.ok(withheldEntities >= entry.withheld.length, text);
  if ('withheldCount' in entry) assert.equal(entry.withheldCount, withheldEntities, text);
  assert.ok(total(entry.bases) >= entry.released.length, text);
  assert.equal(entry.released.length === 0, total(entry.bases) === 0, text);
  const decision = entry.released.length === 0 ? 'deny' : withheldEntities === 0 ? 'allow' : 'partial';
  assert.equal(entry.decision, decision, text);
  return entry;
}
