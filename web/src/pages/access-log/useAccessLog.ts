// The resident's ledger entries, newest first, a page at a time, read as
// they concern the resident (which takes WebCrypto: ledger/entries.ts), and
// their verification results.
import { useEffect, useRef, useState } from 'preact/hooks';
import { isAbort } from '../../api/http';
import { getHead, getMine, getProof } from '../../api/machi';
import { checkEntries, type CheckedHead } from '../../ledger/check';
import { toLogEntries, type LogEntry } from '../../ledger/entries';
import { hasOlder, readBack, startNewest, type NewestState } from '../../ledger/newest';
import type { LedgerEntryDoc, VerifyResult } from '../../ledger/verify';

export const PAGE_SIZE = 20;

export type EntryCheck = 'checking' | VerifyResult;

export interface VerifySummary {
  total: number;
  ok: number;
  failed: number;
}

export type LogState =
  | { status: 'loading' }
  | { status: 'error'; error: unknown }
  // entries: log.entries read, in the same order.
  | { status: 'done'; log: NewestState; entries: LogEntry[]; shown: number; loadingMore: boolean; moreError?: unknown };

// The log's entries read, reusing those already read (readBack only appends older ones).
async function readEntries(log: NewestState, known: readonly LogEntry[]): Promise<LogEntry[]> {
  return [...known, ...(await toLogEntries(log.entries.slice(known.length), log.subject))];
}

export function useAccessLog() {
  const [state, setState] = useState<LogState>({ status: 'loading' });
  const [checks, setChecks] = useState<ReadonlyMap<number, EntryCheck>>(new Map());
  const [head, setHead] = useState<CheckedHead | null>(null);
  const [summary, setSummary] = useState<VerifySummary | null>(null);
  const [verifyingAll, setVerifyingAll] = useState(false);
  const alive = useRef(true);

  useEffect(() => {
    alive.current = true;
    const controller = new AbortController();
    (async () => {
      const start = await startNewest(getMine, controller.signal);
      const log = await readBack(getMine, start, PAGE_SIZE, controller.signal);
      const entries = await readEntries(log, []);
      if (!controller.signal.aborted) setState({ status: 'done', log, entries, shown: Math.min(PAGE_SIZE, log.entries.length), loadingMore: false });
    })().catch((error: unknown) => {
      if (!controller.signal.aborted && !isAbort(error)) setState({ status: 'error', error });
    });
    return () => {
      alive.current = false;
      controller.abort();
    };
  }, []);

  const showMore = async () => {
    if (state.status !== 'done' || state.loadingMore) return;
    const want = state.shown + PAGE_SIZE;
    if (state.log.entries.length >= want || !hasOlder(state.log)) {
      setState({ ...state, shown: Math.min(want, state.log.entries.length) });
      return;
    }
    setState({ ...state, loadingMore: true, moreError: undefined });
    try {
      const log = await readBack(getMine, state.log, want);
      const entries = await readEntries(log, state.entries);
      if (alive.current) setState({ status: 'done', log, entries, shown: Math.min(want, log.entries.length), loadingMore: false });
    } catch (error) {
      if (alive.current) setState({ ...state, loadingMore: false, moreError: error });
    }
  };

  const verify = async (entries: readonly LedgerEntryDoc[], all: boolean) => {
    if (entries.length === 0) return;
    if (all) {
      setVerifyingAll(true);
      setSummary(null);
    }
    setChecks((prev) => {
      const next = new Map(prev);
      for (const e of entries) next.set(e.index, 'checking');
      return next;
    });
    const counts: VerifySummary = { total: entries.length, ok: 0, failed: 0 };
    const checked = await checkEntries(entries, { head: () => getHead(), proof: (index, size) => getProof(index, size) }, (index, result) => {
      if (result.ok) counts.ok++;
      else counts.failed++;
      if (alive.current) setChecks((prev) => new Map(prev).set(index, result));
    });
    if (!alive.current) return;
    if (checked) setHead(checked);
    if (all) {
      setSummary(counts);
      setVerifyingAll(false);
    }
  };

  return { state, checks, head, summary, verifyingAll, showMore, verify };
}
