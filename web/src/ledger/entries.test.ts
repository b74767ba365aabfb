import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseEvent, selfRef, toLogEntries, toLogEntry } from './entries';

const KEY = '8f14e45fceea167a5a36dedd4bea2543';
// Tags as the server writes them (src/trust/read_access.cc subject_tag), with Node's crypto.
const tag = (subject: string, key = KEY) =>
  createHash('sha256').update(Buffer.from(key, 'hex')).update(subject, 'utf8').digest().subarray(0, 16).toString('hex');

const access = {
  type: 'access',
  time: '2026-11-25T06:00:00.000Z',
  principal: { kind: 'client', client: 'app-1', account: 'acc-9', name: 'デマンド交通 需要予測アプリ', roles: ['consumer'] },
  action: 'GET /ngsi-ld/v1/entities?type=Resident&limit=100',
  grant: 'grant-1',
  grantName: 'デマンド交通の需要予測',
  recipient: 'まちなかモビリティ株式会社',
  legalBasis: 'consent',
  purpose: 'https://w3id.org/dpv#ImproveTransportMobility',
  decision: 'partial',
  subjectKey: KEY,
  released: [tag('s1'), tag('s4')],
  withheld: [
    { subject: tag('s2'), reason: 'withdrawn' },
    { subject: tag('s3'), reason: 'no_consent' },
  ],
  withheldCount: 40,
  bases: { consent: 2 },
  reasons: { no_consent: 39, withdrawn: 1 },
};
const text = (entry: object) => JSON.stringify(entry);

describe('ledger entries', () => {
  it('name the resident by their tag under the entry’s key', async () => {
    expect(await selfRef(text(access), 's1')).toBe(tag('s1'));
    // Consent entries and entries written before tags name the pseudonym itself.
    expect(await selfRef(text({ type: 'consent.given', subject: 's1' }), 's1')).toBe('s1');
    expect(await selfRef(text({ ...access, subjectKey: undefined }), 's1')).toBe('s1');
    expect(await selfRef(text({ ...access, subjectKey: 'not-a-key' }), 's1')).toBeNull();
  });

  it('read a release for the resident, with who, to whom and why', () => {
    expect(parseEvent(text(access), tag('s1'))).toEqual({
      kind: 'access',
      time: access.time,
      accessor: { kind: 'client', client: 'app-1', account: 'acc-9', name: 'デマンド交通 需要予測アプリ', roles: ['consumer'] },
      action: access.action,
      grant: 'grant-1',
      grantName: 'デマンド交通の需要予測',
      recipient: 'まちなかモビリティ株式会社',
      legalBasis: 'consent',
      purpose: access.purpose,
      outcome: 'allowed',
      reasons: ['consent'],
      objectionOverridden: false,
    });
  });

  it('give a denied resident their own reason, not the entry’s tally', () => {
    expect(parseEvent(text(access), tag('s2'))).toMatchObject({ outcome: 'denied', reasons: ['withdrawn'] });
    expect(parseEvent(text(access), tag('s3'))).toMatchObject({ outcome: 'denied', reasons: ['no_consent'] });
  });

  it('do not match a pseudonym against tags, nor guess from the decision', () => {
    expect(parseEvent(text(access), 's1')).toMatchObject({ outcome: 'unknown', reasons: [] });
    expect(parseEvent(text(access), tag('s1', '00000000000000000000000000000000'))).toMatchObject({ outcome: 'unknown' });
    expect(parseEvent(text({ ...access, decision: 'allow' }), null)).toMatchObject({ outcome: 'unknown', objectionOverridden: false });
  });

  it('name no single basis when the entry released on several', () => {
    expect(parseEvent(text({ ...access, bases: { consent: 1, data_subject_access: 1 } }), tag('s1'))).toMatchObject({ outcome: 'allowed', reasons: [] });
  });

  it('mark a release over the resident’s objection', () => {
    const statutory = {
      ...access,
      legalBasis: 'statutory',
      decision: 'allow',
      released: [tag('s1'), tag('s2')],
      withheld: [],
      objectionOverridden: [tag('s2')],
      bases: { statutory: 2 },
      reasons: undefined,
      withheldCount: undefined,
    };
    expect(parseEvent(text(statutory), tag('s2'))).toMatchObject({ outcome: 'allowed', reasons: ['statutory'], objectionOverridden: true, legalBasis: 'statutory' });
    expect(parseEvent(text(statutory), tag('s1'))).toMatchObject({ outcome: 'allowed', objectionOverridden: false });
  });

  it('say which grant was named but could not be used', () => {
    const refused = {
      type: 'access',
      principal: { kind: 'client', client: 'app-1', roles: ['consumer'] },
      action: 'GET /ngsi-ld/v1/entities?type=Resident',
      requestedGrant: 'grant-pilot',
      purpose: 'https://w3id.org/dpv#ImproveTransportMobility',
      decision: 'deny',
      subjectKey: KEY,
      released: [],
      withheld: [{ subject: tag('s1'), reason: 'grant_suspended' }],
      reasons: { grant_suspended: 12 },
    };
    expect(parseEvent(text(refused), tag('s1'))).toMatchObject({
      outcome: 'denied',
      reasons: ['grant_suspended'],
      requestedGrant: { id: 'grant-pilot', reasons: ['grant_suspended'] },
    });
    expect(parseEvent(text(refused), tag('s1'))).not.toHaveProperty('grant');
    // A usable grant named: no refused grant to show.
    expect(parseEvent(text({ ...refused, grant: 'grant-1' }), tag('s1'))).not.toHaveProperty('requestedGrant');
  });

  it('still read entries written before tags', () => {
    const old = { type: 'access', principal: { kind: 'account', account: 'a', roles: ['admin'] }, decision: 'partial', released: ['s1'], withheld: ['s2'], bases: { consent: 1 }, reasons: { no_grant: 3 } };
    expect(parseEvent(text(old), 's1')).toEqual({
      kind: 'access',
      accessor: { kind: 'account', account: 'a', roles: ['admin'] },
      outcome: 'allowed',
      reasons: ['consent'],
      objectionOverridden: false,
    });
    expect(parseEvent(text(old), 's2')).toMatchObject({ outcome: 'denied', reasons: ['no_grant'] });
  });

  it('read entries for the resident end to end (the tag computed with WebCrypto)', async () => {
    const docs = [
      { index: 7, commitment: 'ab', entry: text(access), salt: '00' },
      { index: 3, commitment: 'cd', entry: text({ ...access, subjectKey: 'ffffffffffffffffffffffffffffffff', released: [], withheld: [{ subject: tag('s1', 'ffffffffffffffffffffffffffffffff'), reason: 'objected' }] }) },
      { index: 1, commitment: 'ef' },
    ];
    const read = await toLogEntries(docs, 's1');
    expect(read.map((e) => e.index)).toEqual([7, 3, 1]);
    expect(read[0]?.event).toMatchObject({ kind: 'access', outcome: 'allowed' });
    expect(read[1]?.event).toMatchObject({ kind: 'access', outcome: 'denied', reasons: ['objected'] });
    expect(read[2]?.event).toBeNull();
    expect((await toLogEntry(docs[0]!, 's2')).event).toMatchObject({ outcome: 'denied', reasons: ['withdrawn'] });
  });

  it('read consent events', () => {
    const consent = { type: 'consent.withdrawn', record: 'r1', subject: 's1', purposes: ['machi:QoLEvaluation'], actor: 'acc-1', capacity: 'self', time: '2026-04-01T00:00:00.000Z' };
    expect(parseEvent(text(consent), 's1')).toEqual({
      kind: 'consent',
      event: 'withdrawn',
      record: 'r1',
      purposes: ['machi:QoLEvaluation'],
      actor: 'acc-1',
      capacity: 'self',
      time: '2026-04-01T00:00:00.000Z',
    });
  });

  it('keep unknown, broken and erased entries readable', async () => {
    expect(parseEvent('{"type":"grant.created","time":"2026-01-01T00:00:00Z"}', 's')).toEqual({ kind: 'other', type: 'grant.created', time: '2026-01-01T00:00:00Z' });
    expect(parseEvent('not json', 's')).toBeNull();
    expect(parseEvent('[1]', 's')).toBeNull();
    expect(await toLogEntry({ index: 4, commitment: 'ab' }, 's')).toEqual({ index: 4, doc: { index: 4, commitment: 'ab' }, event: null });
  });
});
