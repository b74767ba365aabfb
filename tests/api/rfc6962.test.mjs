// The independent ledger verifier (lib/rfc6962.mjs) on the published
// RFC 6962 test vectors; no server needed:
//   node --test tests/api/rfc6962.test.mjs
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { test } from 'node:test';

import {
  commitment,
  entryCommitment,
  leafHash,
  merkleRoot,
  verifyConsistency,
  verifyHeadSignature,
  verifyInclusion,
} from './lib/rfc6962.mjs';

// The certificate-transparency project's RFC 6962 test vectors (its C++
// merkle_tree_test.cc), as carried in google/trillian
// merkle/log_verifier_test.go. Indices are 0-based here.
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', // empty tree
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const INCLUSION = [
  { index: 0, size: 1, auditPath: [] },
  {
    index: 0,
    size: 8,
    auditPath: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    auditPath: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { index: 2, size: 3, auditPath: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    auditPath: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];
const CONSISTENCY = [
  { first: 1, second: 1, proof: [] },
  {
    first: 1,
    second: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    first: 6,
    second: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    first: 2,
    second: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];
const EMPTY = ROOTS[0];
const leaves = LEAVES.map(leafHash);

function tamper(hex) {
  return (hex[0] === '0' ? '1' : '0') + hex.slice(1);
}

test('roots of the vectors', () => {
  assert.equal(merkleRoot([]), EMPTY);
  for (let n = 1; n <= 8; n++) assert.equal(merkleRoot(leaves.slice(0, n)), ROOTS[n], `size ${n}`);
});

test('inclusion proofs of the vectors hold, and nothing else does', () => {
  for (const v of INCLUSION) {
    const proof = { leafHash: leaves[v.index], index: v.index, size: v.size, auditPath: v.auditPath };
    const root = ROOTS[v.size];
    assert.equal(verifyInclusion(proof, root), true, `${v.index}/${v.size}`);
    assert.equal(verifyInclusion({ ...proof, index: v.index + 1 }, root), false);
    if (v.index > 0) assert.equal(verifyInclusion({ ...proof, index: v.index - 1 }, root), false);
    assert.equal(verifyInclusion({ ...proof, size: v.size * 2 }, root), false);
    assert.equal(verifyInclusion({ ...proof, leafHash: leafHash('ff') }, root), false);
    assert.equal(verifyInclusion(proof, EMPTY), false);
    for (let i = 0; i < v.auditPath.length; i++) {
      const auditPath = v.auditPath.with(i, tamper(v.auditPath[i]));
      assert.equal(verifyInclusion({ ...proof, auditPath }, root), false);
    }
    assert.equal(verifyInclusion({ ...proof, auditPath: [...v.auditPath, root] }, root), false);
    if (v.auditPath.length) {
      assert.equal(verifyInclusion({ ...proof, auditPath: v.auditPath.slice(0, -1) }, root), false);
    }
  }
  assert.equal(verifyInclusion({ leafHash: leaves[0], index: 0, size: 0, auditPath: [] }, EMPTY), false);
});

test('consistency proofs of the vectors hold, and nothing else does', () => {
  for (const v of CONSISTENCY) {
    const [r1, r2] = [ROOTS[v.first], ROOTS[v.second]];
    assert.equal(verifyConsistency(v.first, v.second, r1, r2, v.proof), true, `${v.first}->${v.second}`);
    if (!v.proof.length) continue;
    assert.equal(verifyConsistency(v.first - 1, v.second, r1, r2, v.proof), false);
    assert.equal(verifyConsistency(v.first + 1, v.second, r1, r2, v.proof), false);
    assert.equal(verifyConsistency(v.first, v.second * 2, r1, r2, v.proof), false);
    assert.equal(verifyConsistency(v.first, v.second, r2, r1, v.proof), false);
    assert.equal(verifyConsistency(v.first, v.second, tamper(r1), r2, v.proof), false);
    assert.equal(verifyConsistency(v.first, v.second, r1, tamper(r2), v.proof), false);
    assert.equal(verifyConsistency(v.first, v.second, r1, r2, []), false);
    for (let i = 0; i < v.proof.length; i++) {
      assert.equal(verifyConsistency(v.first, v.second, r1, r2, v.proof.with(i, tamper(v.proof[i]))), false);
    }
    assert.equal(verifyConsistency(v.first, v.second, r1, r2, [...v.proof, r1]), false);
    assert.equal(verifyConsistency(v.first, v.second, r1, r2, v.proof.slice(0, -1)), false);
  }
  assert.equal(verifyConsistency(3, 3, ROOTS[3], ROOTS[3], []), true);
  assert.equal(verifyConsistency(3, 3, ROOTS[3], ROOTS[4], []), false);
  assert.equal(verifyConsistency(0, 3, EMPTY, ROOTS[3], []), false);
  assert.equal(verifyConsistency(4, 3, ROOTS[4], ROOTS[3], []), false);
});

test('commitments', () => {
  // Computed with Python's hashlib: SHA-256(salt || UTF-8 entry).
  const salt = '000102030405060708090a0b0c0d0e0f';
  const entry = '{"who":"市役所","n":1}';
  const c = 'd63856be5287b9daa037acc1cb547b5a35d01ffc2c419e1b6ee5e7cc98969a20';
  assert.equal(commitment(salt, entry), c);
  assert.equal(leafHash(c), '64d23fd2df6c5a03ca7bec4278d72ae928cbfada86258b0a99da939f2f541b9f');
  assert.equal(entryCommitment({ index: 0, commitment: c, entry, salt }), c);
  assert.equal(entryCommitment({ index: 0, commitment: c }), null); // erased
});

test('signed tree heads', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
  const head = { size: 8, root: ROOTS[8], timestamp: '2026-11-25T06:00:00.123Z', publicKey: raw.toString('base64') };
  head.signature = sign(null, Buffer.from(`8\n${ROOTS[8]}\n${head.timestamp}`), privateKey).toString('base64');
  assert.equal(verifyHeadSignature(head), true);
  assert.equal(verifyHeadSignature(head, head.publicKey), true);
  assert.equal(verifyHeadSignature(head, Buffer.alloc(32).toString('base64')), false);
  assert.equal(verifyHeadSignature({ ...head, size: 9 }), false);
  assert.equal(verifyHeadSignature({ ...head, root: ROOTS[7] }), false);
  assert.equal(verifyHeadSignature({ ...head, timestamp: '2026-11-25T06:00:00.124Z' }), false);
});
