// How an access entry names a data subject without disclosing them to the
// other residents it is shown to (src/trust/read_access.h subject_tag):
//
//   tag = hex(first 16 bytes of SHA-256(subjectKey || subject))
//
// subjectKey is the entry's own 16 random bytes (its "subjectKey", hex),
// subject the pseudonym as UTF-8. A resident recomputes their own tag from
// their pseudonym; the other tags tell them nothing. WebCrypto only.
import { bytesToHex, hexToBytes, sha256 } from './verify';

const KEY = /^[0-9a-f]{32}$/;

/** Whether value is a subject key as entries carry it: 16 bytes, lowercase hex. */
export function isSubjectKey(value: unknown): value is string {
  return typeof value === 'string' && KEY.test(value);
}

/** The subject's tag under the key; null when the key is malformed. */
export async function subjectTag(keyHex: string, subject: string): Promise<string | null> {
  if (!isSubjectKey(keyHex)) return null;
  const digest = await sha256(hexToBytes(keyHex), new TextEncoder().encode(subject));
  return bytesToHex(digest.slice(0, 16));
}
