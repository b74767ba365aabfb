import { describe, expect, it } from 'vitest';
import { hasOlder, readBack, startNewest, type FetchMine, type MinePage } from './newest';

// A fake GET /ledger/mine over a ledger of `size` entries where `mine` are
// the subject's indices; pages as the server makes them.
function fakeLedger(size: number, mine: number[]) {
  const calls: { after?: number; limit: number }[] = [];
  const fetchMine: FetchMine = async (params) => {
    calls.push(params);
    const limit = Math.min(params.limit, 1000);
    const entries = mine
      .filter((i) => params.after === undefined || i > params.after)
      .slice(0, limit)
      .map((index) => ({ index, commitment: index.toString(16).padStart(64, '0'), entry: `{"n":${index}}`, salt: '00' }));
    const page: MinePage = { subject: 's', size, entries };
    if (entries.length === limit && entries.length > 0) page.next = entries[entries.length - 1]?.index as number;
    return page;
  };
  return { fetchMine, calls };
}

const indices = (state: { entries: { index: number }[] }) => state.entries.map((e) => e.index);

describe('newest entries first', () => {
  it('finds the newest of a sparse log in a few requests', async () => {
    const mine = [3, 900, 5000, 99_000, 99_990];
    const { fetchMine, calls } = fakeLedger(100_000, mine);
    let state = await startNewest(fetchMine);
    expect(state).toMatchObject({ subject: 's', size: 100_000, entries: [] });
    state = await readBack(fetchMine, state, 2);
    expect(indices(state)).toEqual([99_990, 99_000]);
    expect(hasOlder(state)).toBe(true);
    expect(calls.length).toBeLessThan(8);
    state = await readBack(fetchMine, state, 20);
    expect(indices(state)).toEqual([99_990, 99_000, 5000, 900, 3]);
    expect(hasOlder(state)).toBe(false);
  });

  it('reads a dense log one window at a time, following next', async () => {
    const mine = Array.from({ length: 3000 }, (_, i) => i);
    const { fetchMine } = fakeLedger(3000, mine);
    let state = await readBack(fetchMine, await startNewest(fetchMine), 20);
    expect(indices(state)).toEqual(Array.from({ length: 64 }, (_, i) => 2999 - i));
    state = await readBack(fetchMine, state, 100);
    expect(indices(state).slice(0, 100)).toEqual(Array.from({ length: 100 }, (_, i) => 2999 - i));
    state = await readBack(fetchMine, state, 5000);
    expect(indices(state)).toEqual([...mine].reverse());
    expect(hasOlder(state)).toBe(false);
  });

  it('handles an empty log and a log with nothing about the subject', async () => {
    for (const [size, mine] of [
      [0, []],
      [500, []],
    ] as [number, number[]][]) {
      const { fetchMine } = fakeLedger(size, mine);
      const state = await readBack(fetchMine, await startNewest(fetchMine), 20);
      expect(state.entries).toEqual([]);
      expect(hasOlder(state)).toBe(false);
    }
  });

  it('never lists an entry twice or out of order', async () => {
    const mine = Array.from({ length: 700 }, (_, i) => i * 7 + (i % 3));
    const { fetchMine } = fakeLedger(5000, mine);
    let state = await startNewest(fetchMine);
    for (let want = 1; hasOlder(state); want += 37) state = await readBack(fetchMine, state, want);
    expect(indices(state)).toEqual([...mine].reverse());
  });
});
