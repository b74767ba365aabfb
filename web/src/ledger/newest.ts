// A resident's ledger entries, newest first, read with an API that lists
// them oldest first: GET /machi/v1/ledger/mine?after=I&limit=N answers the
// subject's entries with index > I in index order, and `next` when more
// follow. To find the newest without reading the whole log, the reader
// scans windows of the ledger's index space backwards from its size, each
// window three times the width already scanned, until it has enough
// entries (or reached index 0); inside a window it follows `next`. Pure
// apart from the injected fetch.
import type { LedgerEntryDoc } from './verify';

export interface MinePage {
  subject: string;
  size: number;
  entries: LedgerEntryDoc[];
  next?: number;
}

export type FetchMine = (params: { after?: number; limit: number }, signal?: AbortSignal) => Promise<MinePage>;

export interface NewestState {
  subject: string;
  size: number; // the ledger's size when reading began; later entries are not looked for
  lower: number; // every entry of the subject with lower <= index < size is in entries
  entries: LedgerEntryDoc[]; // newest first
}

// Entries per request (the server caps pages at 1000).
export const PAGE_LIMIT = 500;
// The first window's width in ledger indices.
export const FIRST_WINDOW = 64;

/** The subject and the ledger's size, nothing read yet. */
export async function startNewest(fetchMine: FetchMine, signal?: AbortSignal): Promise<NewestState> {
  const page = await fetchMine({ limit: 0 }, signal);
  return { subject: page.subject, size: page.size, lower: page.size, entries: [] };
}

// The subject's entries with lo <= index < hi, oldest first.
async function scan(fetchMine: FetchMine, lo: number, hi: number, signal?: AbortSignal): Promise<LedgerEntryDoc[]> {
  const out: LedgerEntryDoc[] = [];
  let after: number | undefined = lo > 0 ? lo - 1 : undefined;
  for (;;) {
    const page = await fetchMine(after === undefined ? { limit: PAGE_LIMIT } : { after, limit: PAGE_LIMIT }, signal);
    for (const entry of page.entries) {
      if (entry.index >= hi) return out;
      if (entry.index >= lo) out.push(entry);
    }
    if (page.next === undefined || page.entries.length === 0 || page.next >= hi - 1) return out;
    after = page.next;
  }
}

/** Reads further back until state holds at least `want` entries or everything. */
export async function readBack(fetchMine: FetchMine, state: NewestState, want: number, signal?: AbortSignal): Promise<NewestState> {
  let { lower, entries } = state;
  while (entries.length < want && lower > 0) {
    const width = Math.max(FIRST_WINDOW, (state.size - lower) * 3);
    const from = Math.max(0, lower - width);
    const found = await scan(fetchMine, from, lower, signal);
    entries = [...entries, ...found.reverse()];
    lower = from;
  }
  return { ...state, lower, entries };
}

/** Whether older entries may exist beyond those read. */
export function hasOlder(state: NewestState): boolean {
  return state.lower > 0;
}
