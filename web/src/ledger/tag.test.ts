import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isSubjectKey, subjectTag } from './tag';

// The server's subject_tag (src/trust/read_access.cc), computed with Node's crypto.
const nodeTag = (keyHex: string, subject: string) =>
  createHash('sha256').update(Buffer.from(keyHex, 'hex')).update(subject, 'utf8').digest().subarray(0, 16).toString('hex');

describe('subject tags', () => {
  it('are the first 16 bytes of SHA-256(key || subject), hex', async () => {
    const key = '000102030405060708090a0b0c0d0e0f';
    // A fixed vector, so that a change on either side shows.
    expect(nodeTag(key, 'resident-0001')).toBe('34028cc87f996d8d3ff4ca213439d2b3');
    expect(await subjectTag(key, 'resident-0001')).toBe(nodeTag(key, 'resident-0001'));
  });

  it('agree with Node for any key and for non-ASCII pseudonyms', async () => {
    for (const [key, subject] of [
      ['ffffffffffffffffffffffffffffffff', ''],
      ['5d41402abc4b2a76b9719d911017c592', 'urn:ngsi-ld:Person:山田'],
      ['00000000000000000000000000000000', 'p-9c1e'],
    ] as const) {
      const tag = await subjectTag(key, subject);
      expect(tag).toMatch(/^[0-9a-f]{32}$/);
      expect(tag).toBe(nodeTag(key, subject));
    }
  });

  it('differ by key and by subject', async () => {
    const a = await subjectTag('000102030405060708090a0b0c0d0e0f', 's1');
    expect(await subjectTag('000102030405060708090a0b0c0d0e0e', 's1')).not.toBe(a);
    expect(await subjectTag('000102030405060708090a0b0c0d0e0f', 's2')).not.toBe(a);
  });

  it('need a 16-byte lowercase hex key', async () => {
    expect(isSubjectKey('000102030405060708090a0b0c0d0e0f')).toBe(true);
    for (const bad of ['', '0001', '000102030405060708090A0B0C0D0E0F', '000102030405060708090a0b0c0d0e0f00', 'zz0102030405060708090a0b0c0d0e0f', 42]) {
      expect(isSubjectKey(bad)).toBe(false);
    }
    expect(await subjectTag('0001', 's1')).toBeNull();
  });
});
