// An independent verifier for machi's access ledger, written from RFC 6962
// section 2.1 (not from machi's C++): proofs are checked by inverting the
// RFC's recursive definitions of PATH and SUBPROOF, top-down, rather than
// with the bit-walking algorithm of RFC 9162 that the server's own verifier
// uses. node:crypto only. All hashes are lowercase hex strings.
//
//   commitment = SHA-256(salt || entry)      salt raw bytes, entry UTF-8
//   leaf hash  = SHA-256(0x00 || commitment)
//   node hash  = SHA-256(0x01 || left || right)
//   head       = Ed25519 over "<size>\n<root>\n<timestamp>"
import { createHash, createPublicKey, verify } from 'node:crypto';

const HEX64 = /^[0-9a-f]{64}$/;

function sha256(...parts) {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

function bytes(hex) {
  if (typeof hex !== 'string' || !HEX64.test(hex)) throw new TypeError(`not a 32-byte lowercase hex hash: ${hex}`);
  return Buffer.from(hex, 'hex');
}

function isHash(hex) {
  return typeof hex === 'string' && HEX64.test(hex);
}

// The largest power of two smaller than n (n > 1): the RFC's k.
function split(n) {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isSize(n) {
  return Number.isSafeInteger(n) && n >= 0;
}

/** SHA-256(salt || entry): saltHex as stored, entryText the exact JSON text. */
export function commitment(saltHex, entryText) {
  if (typeof saltHex !== 'string' || !/^([0-9a-f]{2})*$/.test(saltHex)) throw new TypeError('salt is not lowercase hex');
  return sha256(Buffer.from(saltHex, 'hex'), Buffer.from(entryText, 'utf8')).toString('hex');
}

/** The leaf hash of a leaf input given as hex (for the ledger: the commitment). */
export function leafHash(commitmentHex) {
  if (typeof commitmentHex !== 'string' || !/^([0-9a-f]{2})*$/.test(commitmentHex)) {
    throw new TypeError('leaf input is not lowercase hex');
  }
  return sha256(Buffer.from([0]), Buffer.from(commitmentHex, 'hex')).toString('hex');
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(leftHex, rightHex) {
  return sha256(Buffer.from([1]), bytes(leftHex), bytes(rightHex)).toString('hex');
}

/** MTH of a list of leaf hashes (section 2.1), for tests and small trees. */
export function merkleRoot(leafHashes) {
  const n = leafHashes.length;
  if (n === 0) return sha256().toString('hex');
  if (n === 1) return leafHashes[0];
  const k = split(n);
  return nodeHash(merkleRoot(leafHashes.slice(0, k)), merkleRoot(leafHashes.slice(k)));
}

// PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])      for m < k
//               = PATH(m - k, D[k:n]) : MTH(D[0:k])  for m >= k
// so the last element is the sibling at the top, and the root follows
// from the leaf by folding the path back up the same recursion.
function rootFromPath(m, n, leaf, path) {
  if (n === 1) return path.length === 0 ? leaf : null;
  if (path.length === 0) return null;
  const k = split(n);
  const sibling = path[path.length - 1];
  const rest = path.slice(0, -1);
  if (m < k) {
    const left = rootFromPath(m, k, leaf, rest);
    return left === null ? null : nodeHash(left, sibling);
  }
  const right = rootFromPath(m - k, n - k, leaf, rest);
  return right === null ? null : nodeHash(sibling, right);
}

/**
 * True when auditPath proves that leafHash is leaf `index` of the tree of
 * `size` leaves whose root is rootHex.
 */
export function verifyInclusion({ leafHash: leaf, index, size, auditPath }, rootHex) {
  if (!isSize(index) || !isSize(size) || index >= size) return false;
  if (!isHash(leaf) || !isHash(rootHex) || !Array.isArray(auditPath) || !auditPath.every(isHash)) return false;
  return rootFromPath(index, size, leaf, auditPath) === rootHex;
}

// SUBPROOF(m, D[n], b) = {}                     if m == n and b
//                      = {MTH(D[m])}           if m == n and not b
//                      = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])          if m <= k
//                      = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])  if m > k
// Folding it back gives both MTH(D[0:m]) (the old root) and MTH(D[0:n]).
// `known` is the old root the verifier holds, standing for the subtree
// that the RFC leaves out while b is true.
function rootsFromSubproof(m, n, b, proof, known) {
  if (m === n) {
    if (b) return proof.length === 0 ? { old: known, now: known } : null;
    return proof.length === 1 ? { old: proof[0], now: proof[0] } : null;
  }
  if (proof.length === 0) return null;
  const k = split(n);
  const last = proof[proof.length - 1];
  const rest = proof.slice(0, -1);
  if (m <= k) {
    const left = rootsFromSubproof(m, k, b, rest, known);
    return left && { old: left.old, now: nodeHash(left.now, last) };
  }
  const right = rootsFromSubproof(m - k, n - k, false, rest, known);
  return right && { old: nodeHash(last, right.old), now: nodeHash(last, right.now) };
}

/**
 * True when proof shows that the tree of `first` leaves with root1 is a
 * prefix of the tree of `second` leaves with root2. RFC 6962 defines
 * proofs for 0 < first <= second; first == second needs an empty proof and
 * equal roots.
 */
export function verifyConsistency(first, second, root1, root2, proof) {
  if (!isSize(first) || !isSize(second) || first === 0 || first > second) return false;
  if (!isHash(root1) || !isHash(root2) || !Array.isArray(proof) || !proof.every(isHash)) return false;
  if (first === second) return proof.length === 0 && root1 === root2;
  const roots = rootsFromSubproof(first, second, true, proof, root1);
  return roots !== null && roots.old === root1 && roots.now === root2;
}

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * True when head.signature is the Ed25519 signature of
 * "<size>\n<root>\n<timestamp>" under head.publicKey (raw 32 bytes, base64).
 * Pass pinnedPublicKey (base64) to also require that key.
 */
export function verifyHeadSignature(head, pinnedPublicKey) {
  const { size, root, timestamp, signature, publicKey } = head ?? {};
  if (!isSize(size) || !isHash(root) || typeof timestamp !== 'string') return false;
  if (typeof signature !== 'string' || typeof publicKey !== 'string') return false;
  if (pinnedPublicKey !== undefined && publicKey !== pinnedPublicKey) return false;
  const raw = Buffer.from(publicKey, 'base64');
  if (raw.length !== 32 || raw.toString('base64') !== publicKey) return false;
  const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  const message = Buffer.from(`${size}\n${root}\n${timestamp}`, 'utf8');
  return verify(null, message, key, Buffer.from(signature, 'base64'));
}

/** An entry document's commitment, recomputed (null when erased: no salt). */
export function entryCommitment(entry) {
  if (typeof entry?.salt !== 'string' || typeof entry?.entry !== 'string') return null;
  return commitment(entry.salt, entry.entry);
}
