import { describe, expect, it } from 'vitest';
import { checkEntries, type LedgerSource } from './check';
import { bytesToHex, commitmentOf, headSignedText, leafHashOf, merkleRoot, type InclusionProof, type SignedTreeHead, type VerifyResult } from './verify';

async function ledger(texts: string[]) {
  const entries = await Promise.all(
    texts.map(async (entry, index) => {
      const salt = bytesToHex(crypto.getRandomValues(new Uint8Array(16)));
      return { index, entry, salt, commitment: await commitmentOf(salt, entry) };
    }),
  );
  const leaves = await Promise.all(entries.map((e) => leafHashOf(e.commitment)));
  const keys = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const b64 = (b: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(b)));
  const unsigned = { size: entries.length, root: await merkleRoot(leaves), timestamp: '2026-11-25T06:00:00.000Z' };
  const head: SignedTreeHead = {
    ...unsigned,
    signature: b64(await crypto.subtle.sign({ name: 'Ed25519' }, keys.privateKey, new TextEncoder().encode(headSignedText(unsigned)))),
    publicKey: b64(await crypto.subtle.exportKey('raw', keys.publicKey)),
  };
  // PATH(m, D[n]) of RFC 6962 section 2.1.1.
  const path = async (m: number, ls: string[]): Promise<string[]> => {
    if (ls.length <= 1) return [];
    let k = 1;
    while (k * 2 < ls.length) k *= 2;
    return m < k ? [...(await path(m, ls.slice(0, k))), await merkleRoot(ls.slice(k))] : [...(await path(m - k, ls.slice(k))), await merkleRoot(ls.slice(0, k))];
  };
  const source: LedgerSource = {
    head: async () => head,
    proof: async (index, size): Promise<InclusionProof> => ({ index, size, leafHash: leaves[index] as string, auditPath: await path(index, leaves.slice(0, size)) }),
  };
  return { entries, head, source };
}

describe('checking entries against the ledger', () => {
  it('verifies each and reports each', async () => {
    const { entries, head, source } = await ledger(['{"a":1}', '{"a":2}', '{"a":3}', '{"a":4}', '{"a":5}', '{"a":6}']);
    const results = new Map<number, VerifyResult>();
    const checked = await checkEntries(entries, source, (i, r) => results.set(i, r));
    expect(checked).toEqual({ head, signature: 'ok' });
    expect([...results.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    for (const r of results.values()) expect(r).toEqual({ ok: true });
  });

  it('fails a tampered entry and only that one', async () => {
    const { entries, source } = await ledger(['{"d":"deny"}', '{"d":"allow"}', '{"d":"deny"}']);
    const tampered = entries.map((e) => (e.index === 2 ? { ...e, entry: '{"d":"allow"}' } : e));
    const results = new Map<number, VerifyResult>();
    await checkEntries(tampered, source, (i, r) => results.set(i, r));
    expect(results.get(0)).toEqual({ ok: true });
    expect(results.get(1)).toEqual({ ok: true });
    expect(results.get(2)).toEqual({ ok: false, reason: 'commitment' });
  });

  it('fails everything with a forged head, or without the network', async () => {
    const { entries, head, source } = await ledger(['{"a":1}', '{"a":2}']);
    const results = new Map<number, VerifyResult>();
    await checkEntries(entries, { ...source, head: async () => ({ ...head, timestamp: '2030-01-01T00:00:00.000Z' }) }, (i, r) => results.set(i, r));
    expect([...results.values()]).toEqual([{ ok: false, reason: 'signature' }, { ok: false, reason: 'signature' }]);
    results.clear();
    expect(await checkEntries(entries, { ...source, head: () => Promise.reject(new TypeError('offline')) }, (i, r) => results.set(i, r))).toBeNull();
    expect([...results.values()]).toEqual([{ ok: false, reason: 'network' }, { ok: false, reason: 'network' }]);
    results.clear();
    await checkEntries(entries, { ...source, proof: () => Promise.reject(new TypeError('offline')) }, (i, r) => results.set(i, r));
    expect([...results.values()]).toEqual([{ ok: false, reason: 'network' }, { ok: false, reason: 'network' }]);
  });
});
