// Verifying entries against the ledger: one signed head for the batch (its
// signature checked once), then an inclusion proof per entry at the head's
// size. Network calls are injected, so that this runs in tests too.
import { verifyEntry, verifyHeadSignature, type InclusionProof, type LedgerEntryDoc, type SignedTreeHead, type VerifyResult } from './verify';

export interface LedgerSource {
  head: () => Promise<SignedTreeHead>;
  proof: (index: number, size: number) => Promise<InclusionProof>;
}

export interface CheckedHead {
  head: SignedTreeHead;
  signature: 'ok' | 'bad' | 'unsupported';
}

const PARALLEL = 4;

/**
 * Checks each entry and reports each result as it is known; returns the
 * head used (null when it could not be fetched: then every entry failed
 * with 'network').
 */
export async function checkEntries(
  entries: readonly LedgerEntryDoc[],
  source: LedgerSource,
  report: (index: number, result: VerifyResult) => void,
): Promise<CheckedHead | null> {
  let checked: CheckedHead;
  try {
    const head = await source.head();
    checked = { head, signature: await verifyHeadSignature(head) };
  } catch {
    for (const entry of entries) report(entry.index, { ok: false, reason: 'network' });
    return null;
  }
  const queue = [...entries];
  const worker = async () => {
    for (let entry = queue.shift(); entry; entry = queue.shift()) {
      let result: VerifyResult;
      if (entry.index >= checked.head.size) {
        result = { ok: false, reason: 'notInHead' };
      } else {
        try {
          const proof = await source.proof(entry.index, checked.head.size);
          result = await verifyEntry(entry, checked.head, proof, checked.signature);
        } catch {
          result = { ok: false, reason: 'network' };
        }
      }
      report(entry.index, result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, entries.length) }, worker));
  return checked;
}
