// What a resident's ledger entry says, read from its JSON text (the server's
// src/trust/read_access.cc and consent.cc write them).
//
//   access:   {"type":"access","time","principal":{"kind","account"?,"client"?,"name"?,"roles","issuer"?},
//              "action","grant"?,"grantName"?,"recipient"?,"legalBasis"?,"requestedGrant"?,"purpose"?,
//              "decision":"allow"|"deny"|"partial","subjectKey",
//              "released":[tag...],"withheld":[{"subject":tag,"reason"}...],"withheldCount"?,
//              "objectionOverridden"?:[tag...],"bases"?,"reasons"?}
//   consent:  {"type":"consent.given"|"consent.withdrawn"|..., "record","subject","purposes",
//              "actor","capacity","time"}
//
// An access entry names its subjects only by tags keyed by its own random
// subjectKey (./tag.ts), so the resident's outcome is read by their tag,
// which toLogEntry computes (WebCrypto) before parseEvent, itself pure.
// Entries written before tags listed pseudonyms ("released":[subject...],
// "withheld":[subject...]); for those the resident is named by the pseudonym.
import { subjectTag } from './tag';
import type { LedgerEntryDoc } from './verify';

export interface Accessor {
  kind: 'account' | 'client' | 'anonymous' | 'unknown';
  account?: string;
  client?: string;
  name?: string; // the person's display name, or the application's name
  roles: string[];
  issuer?: string;
}

// The outcome for this resident: their data was released, or withheld; or
// the entry does not say (their tag could not be computed, or is not listed).
export type Outcome = 'allowed' | 'denied' | 'unknown';

export interface AccessEvent {
  kind: 'access';
  time?: string;
  accessor: Accessor;
  action?: string;
  grant?: string;
  grantName?: string;
  recipient?: string;
  legalBasis?: string;
  purpose?: string;
  // A grant the request named but could not use (suspended, revoked,
  // expired, ...), with the entry's reasons for refusing the request.
  requestedGrant?: { id: string; reasons: string[] };
  outcome: Outcome;
  // Codes of why: for a denial the reason given for this resident; for a
  // release the basis, when the entry gives one for all it released.
  reasons: string[];
  // Released although this resident had objected (statutory, emergency).
  objectionOverridden: boolean;
}

export interface ConsentEvent {
  kind: 'consent';
  time?: string;
  event: string; // given, renewed, withdrawn, refused, expired
  record?: string;
  purposes: string[];
  actor?: string;
  capacity?: string;
}

export interface OtherEvent {
  kind: 'other';
  time?: string;
  type: string;
}

export type LedgerEvent = AccessEvent | ConsentEvent | OtherEvent;

export interface LogEntry {
  index: number;
  doc: LedgerEntryDoc;
  event: LedgerEvent | null; // null: erased or unreadable text
}

type Json = Record<string, unknown>;

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
const object = (value: unknown): Json => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});

function readJson(text: string): Json | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Json) : null;
  } catch {
    return null;
  }
}

function accessor(value: unknown): Accessor {
  const p = object(value);
  const kind = p['kind'];
  const out: Accessor = {
    kind: kind === 'account' || kind === 'client' || kind === 'anonymous' ? kind : 'unknown',
    roles: strings(p['roles']),
  };
  for (const key of ['account', 'client', 'name', 'issuer'] as const) {
    const value = str(p[key]);
    if (value) out[key] = value;
  }
  return out;
}

// The withheld subjects with their own reasons ({"subject","reason"}), or,
// in entries written before tags, bare pseudonyms.
function withheldList(value: unknown): { subject: string; reason?: string }[] {
  if (!Array.isArray(value)) return [];
  const out: { subject: string; reason?: string }[] = [];
  for (const item of value) {
    if (typeof item === 'string') {
      out.push({ subject: item });
    } else {
      const subject = str(object(item)['subject']);
      const reason = str(object(item)['reason']);
      if (subject) out.push(reason ? { subject, reason } : { subject });
    }
  }
  return out;
}

/**
 * How the entry names this resident: their tag under its subjectKey, or,
 * for an entry without one (written before tags), their pseudonym. Null
 * when the tag cannot be computed (no WebCrypto, a malformed key).
 */
export async function selfRef(text: string, subject: string): Promise<string | null> {
  const entry = readJson(text);
  if (entry?.['type'] !== 'access') return subject;
  if (entry['subjectKey'] === undefined) return subject;
  try {
    return await subjectTag(String(entry['subjectKey']), subject);
  } catch {
    return null; // WebCrypto is missing outside secure contexts
  }
}

function accessEvent(entry: Json, self: string | null): AccessEvent {
  const released = strings(entry['released']);
  const withheld = withheldList(entry['withheld']);
  const aggregate = (key: 'bases' | 'reasons') => Object.keys(object(entry[key]));
  let outcome: Outcome = 'unknown';
  let reasons: string[] = [];
  const mine = self === null ? undefined : withheld.find((w) => w.subject === self);
  if (self !== null && released.includes(self)) {
    outcome = 'allowed';
    // Bases are counted over everyone released: one basis is this resident's too.
    const bases = aggregate('bases');
    if (bases.length === 1) reasons = bases;
  } else if (mine) {
    outcome = 'denied';
    reasons = mine.reason ? [mine.reason] : aggregate('reasons');
  }
  const event: AccessEvent = {
    kind: 'access',
    accessor: accessor(entry['principal']),
    outcome,
    reasons,
    objectionOverridden: self !== null && strings(entry['objectionOverridden']).includes(self),
  };
  const time = str(entry['time']);
  if (time) event.time = time;
  for (const key of ['action', 'grant', 'grantName', 'recipient', 'legalBasis', 'purpose'] as const) {
    const value = str(entry[key]);
    if (value) event[key] = value;
  }
  const requested = str(entry['requestedGrant']);
  if (requested && !event.grant) event.requestedGrant = { id: requested, reasons: aggregate('reasons') };
  return event;
}

/**
 * The entry's event as it concerns the resident named by `self` in it (see
 * selfRef). Pure.
 */
export function parseEvent(text: string, self: string | null): LedgerEvent | null {
  const entry = readJson(text);
  if (!entry) return null;
  const type = str(entry['type']);
  if (!type) return null;
  const time = str(entry['time']);
  if (type === 'access') return accessEvent(entry, self);
  if (type.startsWith('consent.')) {
    const event: ConsentEvent = { kind: 'consent', event: type.slice('consent.'.length), purposes: strings(entry['purposes']) };
    if (time) event.time = time;
    for (const key of ['record', 'actor', 'capacity'] as const) {
      const value = str(entry[key]);
      if (value) event[key] = value;
    }
    return event;
  }
  return time ? { kind: 'other', type, time } : { kind: 'other', type };
}

/** The listed entry as the resident with pseudonym `subject` reads it. */
export async function toLogEntry(doc: LedgerEntryDoc, subject: string): Promise<LogEntry> {
  if (typeof doc.entry !== 'string') return { index: doc.index, doc, event: null };
  return { index: doc.index, doc, event: parseEvent(doc.entry, await selfRef(doc.entry, subject)) };
}

export function toLogEntries(docs: readonly LedgerEntryDoc[], subject: string): Promise<LogEntry[]> {
  return Promise.all(docs.map((doc) => toLogEntry(doc, subject)));
}
