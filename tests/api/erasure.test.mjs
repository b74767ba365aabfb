// The right to erasure on the access ledger (POST /machi/v1/ledger/erasures):
// the texts and salts of the entries about a resident go, the tree and every
// proof stay valid, and nothing else changes. Checked with the independent
// RFC 6962 verifier in lib/rfc6962.mjs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { entryCommitment, leafHash, verifyConsistency, verifyHeadSignature, verifyInclusion } from './lib/rfc6962.mjs';
import { accountWithToken, as } from './lib/trust.mjs';
import { assertProblem, assertStatus, startServer, stopServer } from './lib/util.mjs';

const SUBJECT = 'e7a5e0000000aaaa';
const OTHER = 'e7a5e0000000bbbb';

function consent(subject) {
  return {
    dataSubject: subject,
    processing: {
      notice: 'https://demo.machi.city/notices/qol',
      purposes: ['machi:QoLEvaluation'],
      controllers: ['city'],
      withdrawalMethod: 'マイページ',
    },
    parties: [{ id: 'city', name: 'デモ市', role: 'controller' }],
    events: [{ type: 'given' }],
  };
}

describe('erasure of a resident\'s ledger entries', () => {
  let m;
  let resident;
  let other;
  let auditor;
  before(async () => {
    m = await startServer();
    resident = await accountWithToken(m, { username: 'erika', roles: ['resident'], subject: SUBJECT });
    other = await accountWithToken(m, { username: 'otto', roles: ['resident'], subject: OTHER });
    auditor = await accountWithToken(m, { username: 'audrey', roles: ['auditor'] });
    for (const who of [resident, other, resident]) {
      assertStatus(await m.post('/machi/v1/consents', consent(who.account.subject), as(who.token)), 201);
    }
  });
  after(() => stopServer(m));

  test('only the administrator erases, and a subject is required', async () => {
    assertStatus(await m.post('/machi/v1/ledger/erasures', { subject: SUBJECT }, as(resident.token)), 403);
    assertStatus(await m.post('/machi/v1/ledger/erasures', { subject: SUBJECT }, as(auditor.token)), 403);
    assertProblem(await m.post('/machi/v1/ledger/erasures', {}), 400);
  });

  test('texts and salts go, commitments and proofs stay valid, others are untouched', async () => {
    const mine = (await m.get('/machi/v1/ledger/mine', as(resident.token))).json.entries;
    assert.equal(mine.length, 2);
    const headBefore = (await m.get('/machi/v1/ledger/head')).json;

    const r = await m.post('/machi/v1/ledger/erasures', { subject: SUBJECT });
    assertStatus(r, 200);
    assert.deepEqual(r.json, { subject: SUBJECT, erased: 2 });
    const again = await m.post('/machi/v1/ledger/erasures', { subject: SUBJECT });
    assert.equal(again.json.erased, 0, 'a second erasure finds nothing left');

    const head = (await m.get('/machi/v1/ledger/head')).json;
    assert.ok(verifyHeadSignature(head, headBefore.publicKey));
    // The erasure is logged (two entries: one per request), naming no one.
    assert.equal(head.size, headBefore.size + 2);
    const log = (await m.get(`/machi/v1/ledger/entries/${head.size - 1}`, as(auditor.token))).json;
    assert.equal(JSON.parse(log.entry).type, 'ledger.erasure');
    assert.ok(!log.entry.includes(SUBJECT));
    const consistency = (await m.get(`/machi/v1/ledger/consistency?first=${headBefore.size}&second=${head.size}`)).json;
    assert.ok(verifyConsistency(headBefore.size, head.size, headBefore.root, head.root, consistency.proof));

    for (let index = 0; index < headBefore.size; index++) {
      const e = (await m.get(`/machi/v1/ledger/entries/${index}`, as(auditor.token))).json;
      const erased = mine.some((x) => x.index === index);
      if (erased) {
        assert.equal(e.entry, undefined, `entry ${index} text erased`);
        assert.equal(e.salt, undefined, `entry ${index} salt erased`);
        assert.equal(e.commitment, mine.find((x) => x.index === index).commitment, 'the commitment stays');
      } else {
        assert.equal(entryCommitment(e), e.commitment, `entry ${index} still verifies`);
      }
      const proof = (await m.get(`/machi/v1/ledger/proof?index=${index}&size=${head.size}`)).json;
      assert.equal(proof.leafHash, leafHash(e.commitment));
      assert.ok(verifyInclusion(proof, head.root), `inclusion of ${index} after erasure`);
    }
    // The other resident's entry is whole; the erased resident's list is empty.
    const others = (await m.get('/machi/v1/ledger/mine', as(other.token))).json.entries;
    assert.equal(others.length, 1);
    assert.ok(others[0].entry.includes(OTHER));
    assert.deepEqual((await m.get('/machi/v1/ledger/mine', as(resident.token))).json.entries, []);
  });
});
