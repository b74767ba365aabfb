// Checking the access ledger in the browser, with WebCrypto only: machi
// need not be trusted for the answer (docs/ledger.md).
//
//   commitment = SHA-256(salt || entry)          salt raw bytes, entry UTF-8
//   leaf hash  = SHA-256(0x00 || commitment)     RFC 6962 section 2.1
//   node hash  = SHA-256(0x01 || left || right)
//   root       = the audit path folded up from the leaf (RFC 9162 section 2.1.3.2)
//   head       = Ed25519 over "<size>\n<root>\n<timestamp>"
//
// Pure: no fetch, no DOM. Hashes are lowercase hex strings throughout.

export interface SignedTreeHead {
  size: number;
  root: string; // hex
  timestamp: string; // RFC 3339
  signature: string; // base64 of 64 bytes
  publicKey: string; // base64 of the raw 32-byte Ed25519 key
}

export interface InclusionProof {
  index: number;
  size: number;
  leafHash: string;
  auditPath: string[];
}

// An entry as GET /ledger/mine lists it; entry and salt are gone once erased.
export interface LedgerEntryDoc {
  index: number;
  commitment: string;
  entry?: string;
  salt?: string;
}

// Why a check failed; each has a message in the catalogs (verify.reason.*).
export type FailureReason =
  | 'erased' // no text and salt to recompute the commitment from
  | 'commitment' // SHA-256(salt || entry) differs from the listed commitment: the text was changed
  | 'notInHead' // the entry's index is not below the head's size
  | 'proofShape' // the proof is not for this entry and head, or is malformed
  | 'leaf' // the proof's leaf hash is not the hash of this commitment
  | 'root' // the audit path does not lead to the signed root
  | 'signature' // the head's signature does not verify
  | 'unsupported' // this browser cannot check Ed25519 signatures
  | 'network'; // the head or the proof could not be fetched

export type VerifyResult = { ok: true } | { ok: false; reason: FailureReason };

const HEX_HASH = /^[0-9a-f]{64}$/;
const HEX = /^(?:[0-9a-f]{2})*$/;

export function isHash(value: unknown): value is string {
  return typeof value === 'string' && HEX_HASH.test(value);
}

export function hexToBytes(hex: string): Uint8Array {
  if (!HEX.test(hex)) throw new TypeError('not lowercase hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

// Standard base64 with padding (RFC 4648 section 4); null when malformed.
export function base64ToBytes(text: string): Uint8Array | null {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return null;
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', concat(parts)));
}

const LEAF_PREFIX = new Uint8Array([0]);
const NODE_PREFIX = new Uint8Array([1]);

/** SHA-256(salt || entry): the salt as listed (hex), the entry's exact text. */
export async function commitmentOf(saltHex: string, entryText: string): Promise<string> {
  return bytesToHex(await sha256(hexToBytes(saltHex), new TextEncoder().encode(entryText)));
}

/** The leaf hash of a leaf input given as hex (for the ledger: the commitment). */
export async function leafHashOf(leafInputHex: string): Promise<string> {
  return bytesToHex(await sha256(LEAF_PREFIX, hexToBytes(leafInputHex)));
}

export async function nodeHash(leftHex: string, rightHex: string): Promise<string> {
  return bytesToHex(await sha256(NODE_PREFIX, hexToBytes(leftHex), hexToBytes(rightHex)));
}

/** MTH of a list of leaf hashes (RFC 6962 section 2.1); for tests and small trees. */
export async function merkleRoot(leafHashes: readonly string[]): Promise<string> {
  const n = leafHashes.length;
  if (n === 0) return bytesToHex(await sha256());
  if (n === 1) return leafHashes[0] as string;
  let k = 1;
  while (k * 2 < n) k *= 2;
  return nodeHash(await merkleRoot(leafHashes.slice(0, k)), await merkleRoot(leafHashes.slice(k)));
}

/**
 * The root that auditPath leads to from leaf `index` of a tree of `size`
 * leaves (RFC 9162 section 2.1.3.2), or null when the path cannot be for
 * that position (too short, too long, index out of range).
 */
export async function rootFromInclusionProof(index: number, size: number, leafHex: string, auditPath: readonly string[]): Promise<string | null> {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return null;
  if (!isHash(leafHex) || !auditPath.every(isHash)) return null;
  // BigInt: indices may pass 2^31, where JavaScript's bit operators stop.
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r = leafHex;
  for (const p of auditPath) {
    if (sn === 0n) return null;
    if (fn % 2n === 1n || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2n === 0n) {
        while (fn % 2n === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n ? r : null;
}

/** The text a tree head's signature covers. */
export function headSignedText(head: Pick<SignedTreeHead, 'size' | 'root' | 'timestamp'>): string {
  return `${head.size}\n${head.root}\n${head.timestamp}`;
}

/**
 * Checks the head's Ed25519 signature with its own publicKey (or, when
 * given, only with pinnedKey). 'unsupported' when WebCrypto has no Ed25519.
 */
export async function verifyHeadSignature(head: SignedTreeHead, pinnedKey?: string): Promise<'ok' | 'bad' | 'unsupported'> {
  if (!Number.isSafeInteger(head.size) || head.size < 0 || !isHash(head.root) || typeof head.timestamp !== 'string') return 'bad';
  if (pinnedKey !== undefined && head.publicKey !== pinnedKey) return 'bad';
  const key = typeof head.publicKey === 'string' ? base64ToBytes(head.publicKey) : null;
  const signature = typeof head.signature === 'string' ? base64ToBytes(head.signature) : null;
  if (!key || key.length !== 32 || !signature || signature.length !== 64) return 'bad';
  let publicKey: CryptoKey;
  try {
    publicKey = await crypto.subtle.importKey('raw', concat([key]), { name: 'Ed25519' }, false, ['verify']);
  } catch (error) {
    // NotSupportedError: no Ed25519 in this browser; anything else: a bad key.
    return error instanceof DOMException && error.name === 'NotSupportedError' ? 'unsupported' : 'bad';
  }
  const message = new TextEncoder().encode(headSignedText(head));
  return (await crypto.subtle.verify({ name: 'Ed25519' }, publicKey, concat([signature]), message)) ? 'ok' : 'bad';
}

/**
 * Whether entry is in the log that head describes, given the inclusion
 * proof of its index at head.size and the result of checking the head's
 * signature (checked once for many entries).
 */
export async function verifyEntry(
  entry: LedgerEntryDoc,
  head: SignedTreeHead,
  proof: InclusionProof,
  signature: 'ok' | 'bad' | 'unsupported',
): Promise<VerifyResult> {
  const fail = (reason: FailureReason): VerifyResult => ({ ok: false, reason });
  if (typeof entry.entry !== 'string' || typeof entry.salt !== 'string') return fail('erased');
  if (!isHash(entry.commitment) || !HEX.test(entry.salt)) return fail('commitment');
  if ((await commitmentOf(entry.salt, entry.entry)) !== entry.commitment) return fail('commitment');
  if (signature === 'unsupported') return fail('unsupported');
  if (signature !== 'ok') return fail('signature');
  if (!(entry.index < head.size)) return fail('notInHead');
  if (proof.index !== entry.index || proof.size !== head.size || !Array.isArray(proof.auditPath)) return fail('proofShape');
  const leaf = await leafHashOf(entry.commitment);
  // The proof's own leaf hash is not taken on trust: it must be ours.
  if (proof.leafHash !== leaf) return fail('leaf');
  const root = await rootFromInclusionProof(entry.index, head.size, leaf, proof.auditPath);
  if (root === null) return fail('proofShape');
  return root === head.root ? { ok: true } : fail('root');
}

/** A short fingerprint of a public key to compare by eye: the first 16 hex digits of SHA-256(key). */
export async function keyFingerprint(publicKeyBase64: string): Promise<string | null> {
  const key = base64ToBytes(publicKeyBase64);
  if (!key) return null;
  return bytesToHex(await sha256(key))
    .slice(0, 16)
    .replace(/(.{4})(?!$)/g, '$1 ');
}
