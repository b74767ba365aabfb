import { describe, expect, it } from 'vitest';
import {
  base64ToBytes,
  bytesToHex,
  commitmentOf,
  headSignedText,
  keyFingerprint,
  leafHashOf,
  merkleRoot,
  nodeHash,
  rootFromInclusionProof,
  verifyEntry,
  verifyHeadSignature,
  type InclusionProof,
  type SignedTreeHead,
} from './verify';

// The certificate-transparency project's RFC 6962 test vectors (its C++
// merkle_tree_test.cc, as carried in google/trillian
// merkle/log_verifier_test.go); indices 0-based.
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
  { index: 0, size: 1, auditPath: [] as string[] },
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

const tamper = (hex: string) => (hex[0] === '0' ? '1' : '0') + hex.slice(1);
const replaced = (list: readonly string[], i: number, value: string) => list.map((x, j) => (j === i ? value : x));
const leafHashes = () => Promise.all(LEAVES.map(leafHashOf));

// PATH(m, D[n]) straight from RFC 6962 section 2.1.1, to get proofs for
// every leaf of every vector tree.
async function auditPath(m: number, leaves: string[]): Promise<string[]> {
  const n = leaves.length;
  if (n <= 1) return [];
  let k = 1;
  while (k * 2 < n) k *= 2;
  if (m < k) return [...(await auditPath(m, leaves.slice(0, k))), await merkleRoot(leaves.slice(k))];
  return [...(await auditPath(m - k, leaves.slice(k))), await merkleRoot(leaves.slice(0, k))];
}

describe('RFC 6962 test vectors', () => {
  it('give the published roots for sizes 0 to 8', async () => {
    const leaves = await leafHashes();
    for (let n = 0; n <= 8; n++) expect(await merkleRoot(leaves.slice(0, n)), `size ${n}`).toBe(ROOTS[n]);
  });

  it('verify the published inclusion proofs', async () => {
    const leaves = await leafHashes();
    for (const v of INCLUSION) {
      const leaf = leaves[v.index] as string;
      expect(await rootFromInclusionProof(v.index, v.size, leaf, v.auditPath), `${v.index}/${v.size}`).toBe(ROOTS[v.size]);
    }
  });

  it('verify every leaf of every tree of sizes 1 to 8', async () => {
    const leaves = await leafHashes();
    for (let n = 1; n <= 8; n++) {
      for (let m = 0; m < n; m++) {
        const path = await auditPath(m, leaves.slice(0, n));
        expect(await rootFromInclusionProof(m, n, leaves[m] as string, path), `${m}/${n}`).toBe(ROOTS[n]);
      }
    }
  });

  it('reject a wrong position, size, leaf or path', async () => {
    const leaves = await leafHashes();
    for (const v of INCLUSION) {
      const leaf = leaves[v.index] as string;
      const root = ROOTS[v.size];
      const rootOf = (index: number, size: number, l: string, path: string[]) => rootFromInclusionProof(index, size, l, path);
      expect(await rootOf(v.index + 1, v.size, leaf, v.auditPath)).not.toBe(root);
      if (v.index > 0) expect(await rootOf(v.index - 1, v.size, leaf, v.auditPath)).not.toBe(root);
      expect(await rootOf(v.index, v.size * 2, leaf, v.auditPath)).not.toBe(root);
      expect(await rootOf(v.index, v.size, await leafHashOf('ff'), v.auditPath)).not.toBe(root);
      for (let i = 0; i < v.auditPath.length; i++) {
        expect(await rootOf(v.index, v.size, leaf, replaced(v.auditPath, i, tamper(v.auditPath[i] as string)))).not.toBe(root);
      }
      // One element too many or too few is no proof at all.
      expect(await rootOf(v.index, v.size, leaf, [...v.auditPath, root as string])).toBeNull();
      if (v.auditPath.length) expect(await rootOf(v.index, v.size, leaf, v.auditPath.slice(0, -1))).toBeNull();
    }
    expect(await rootFromInclusionProof(0, 0, leaves[0] as string, [])).toBeNull();
    expect(await rootFromInclusionProof(-1, 1, leaves[0] as string, [])).toBeNull();
    expect(await rootFromInclusionProof(0, 1, 'not a hash', [])).toBeNull();
  });

  it('hash nodes as SHA-256(0x01 || left || right)', async () => {
    const leaves = await leafHashes();
    expect(await nodeHash(leaves[0] as string, leaves[1] as string)).toBe(ROOTS[2]);
  });
});

describe('commitments', () => {
  // Computed with Python's hashlib: SHA-256(salt || UTF-8 entry) (tests/api/rfc6962.test.mjs).
  const salt = '000102030405060708090a0b0c0d0e0f';
  const entry = '{"who":"\u5e02\u5f79\u6240","n":1}';
  const commitment = 'd63856be5287b9daa037acc1cb547b5a35d01ffc2c419e1b6ee5e7cc98969a20';

  it('are SHA-256 of the salt bytes and the UTF-8 text', async () => {
    expect(await commitmentOf(salt, entry)).toBe(commitment);
    expect(await leafHashOf(commitment)).toBe('64d23fd2df6c5a03ca7bec4278d72ae928cbfada86258b0a99da939f2f541b9f');
  });

  it('change with any change of the text', async () => {
    expect(await commitmentOf(salt, entry.replace('1', '2'))).not.toBe(commitment);
    expect(await commitmentOf(salt, `${entry} `)).not.toBe(commitment);
  });
});

describe('encodings', () => {
  it('convert hex and base64', () => {
    expect(bytesToHex(new Uint8Array([0, 15, 255]))).toBe('000fff');
    expect(bytesToHex(base64ToBytes('AA//') as Uint8Array)).toBe('000fff');
    expect(base64ToBytes('AA/')).toBeNull();
    expect(base64ToBytes('AA-_')).toBeNull(); // base64url is not what machi sends
  });
});

// A small ledger built here: entries, a tree over their commitments, and a
// head signed with a fresh Ed25519 key (WebCrypto, as the browser has it).
async function makeLedger(texts: string[]) {
  const entries = await Promise.all(
    texts.map(async (text, index) => {
      const salt = bytesToHex(crypto.getRandomValues(new Uint8Array(16)));
      return { index, entry: text, salt, commitment: await commitmentOf(salt, text) };
    }),
  );
  const leaves = await Promise.all(entries.map((e) => leafHashOf(e.commitment)));
  const keys = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', keys.publicKey));
  const unsigned = { size: entries.length, root: await merkleRoot(leaves), timestamp: '2026-11-25T06:00:00.123Z' };
  const signature = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, keys.privateKey, new TextEncoder().encode(headSignedText(unsigned))));
  const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
  const head: SignedTreeHead = { ...unsigned, signature: b64(signature), publicKey: b64(publicKey) };
  const proof = async (index: number): Promise<InclusionProof> => ({
    index,
    size: entries.length,
    leafHash: leaves[index] as string,
    auditPath: await auditPath(index, leaves),
  });
  return { entries, head, proof, keys };
}

const TEXTS = [
  '{"type":"consent.given","subject":"s1","time":"2026-04-01T00:00:00.000Z"}',
  '{"type":"access","decision":"allow","purpose":"machi:QoLEvaluation","released":["s1"]}',
  '{"type":"access","decision":"deny","released":[],"withheld":["s1"],"note":"\u5e02\u5f79\u6240"}',
  '{"type":"grant.created"}',
  '{"type":"access","decision":"partial"}',
];

describe('signed tree heads', () => {
  it('verify with their key, and not once changed', async () => {
    const { head } = await makeLedger(TEXTS);
    expect(await verifyHeadSignature(head)).toBe('ok');
    expect(await verifyHeadSignature(head, head.publicKey)).toBe('ok');
    expect(await verifyHeadSignature(head, btoa(String.fromCharCode(...new Uint8Array(32))))).toBe('bad');
    expect(await verifyHeadSignature({ ...head, size: head.size + 1 })).toBe('bad');
    expect(await verifyHeadSignature({ ...head, root: ROOTS[8] as string })).toBe('bad');
    expect(await verifyHeadSignature({ ...head, timestamp: '2026-11-25T06:00:00.124Z' })).toBe('bad');
    expect(await verifyHeadSignature({ ...head, signature: 'AAAA' })).toBe('bad');
  });

  it('have a fingerprint of 16 hex digits in groups of four', async () => {
    const { head } = await makeLedger(TEXTS.slice(0, 1));
    expect(await keyFingerprint(head.publicKey)).toMatch(/^[0-9a-f]{4} [0-9a-f]{4} [0-9a-f]{4} [0-9a-f]{4}$/);
  });
});

describe('verifyEntry', () => {
  it('verifies every entry of a ledger', async () => {
    const { entries, head, proof } = await makeLedger(TEXTS);
    for (const e of entries) expect(await verifyEntry(e, head, await proof(e.index), 'ok'), `entry ${e.index}`).toEqual({ ok: true });
  });

  it('finds a tampered entry text, salt or commitment', async () => {
    const { entries, head, proof } = await makeLedger(TEXTS);
    const e = entries[2] as (typeof entries)[number];
    const p = await proof(e.index);
    // The resident's denial rewritten as an allowance.
    const text = e.entry.replace('"deny"', '"allow"');
    expect(await verifyEntry({ ...e, entry: text }, head, p, 'ok')).toEqual({ ok: false, reason: 'commitment' });
    expect(await verifyEntry({ ...e, salt: tamper(e.salt) }, head, p, 'ok')).toEqual({ ok: false, reason: 'commitment' });
    // A commitment made to match the changed text is not the one in the tree.
    const forged = { ...e, entry: text, commitment: await commitmentOf(e.salt, text) };
    expect(await verifyEntry(forged, head, p, 'ok')).toEqual({ ok: false, reason: 'leaf' });
    expect(await verifyEntry(forged, head, { ...p, leafHash: await leafHashOf(forged.commitment) }, 'ok')).toEqual({ ok: false, reason: 'root' });
  });

  it('finds a wrong proof, root or head', async () => {
    const { entries, head, proof } = await makeLedger(TEXTS);
    const e = entries[1] as (typeof entries)[number];
    const p = await proof(e.index);
    expect(await verifyEntry(e, head, { ...p, auditPath: replaced(p.auditPath, 0, tamper(p.auditPath[0] as string)) }, 'ok')).toEqual({ ok: false, reason: 'root' });
    expect(await verifyEntry(e, head, { ...p, auditPath: p.auditPath.slice(1) }, 'ok')).toEqual({ ok: false, reason: 'proofShape' });
    expect(await verifyEntry(e, head, await proof(0), 'ok')).toEqual({ ok: false, reason: 'proofShape' });
    expect(await verifyEntry(e, { ...head, root: tamper(head.root) }, p, 'ok')).toEqual({ ok: false, reason: 'root' });
    expect(await verifyEntry(e, head, p, 'bad')).toEqual({ ok: false, reason: 'signature' });
    expect(await verifyEntry(e, head, p, 'unsupported')).toEqual({ ok: false, reason: 'unsupported' });
    expect(await verifyEntry({ ...e, index: 7 }, head, p, 'ok')).toEqual({ ok: false, reason: 'notInHead' });
  });

  it('cannot check an erased entry', async () => {
    const { entries, head, proof } = await makeLedger(TEXTS);
    const e = entries[0] as (typeof entries)[number];
    expect(await verifyEntry({ index: e.index, commitment: e.commitment }, head, await proof(0), 'ok')).toEqual({ ok: false, reason: 'erased' });
  });
});
