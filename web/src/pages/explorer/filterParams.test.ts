import { describe, expect, it } from 'vitest';
import { explorerSearch, pageCount, pageWindow, parseExplorerState } from './filterParams';

describe('explorer URL state', () => {
  it('round-trips filters and paging', () => {
    const state = parseExplorerState(new URLSearchParams('type=School&text=%E4%B8%AD%E5%A4%AE&q=capacity%3E1&page=3&size=50'));
    expect(state).toEqual({ filter: { type: 'School', idPattern: undefined, q: 'capacity>1', text: '中央' }, page: 3, size: 50 });
    expect(explorerSearch(state)).toBe('?type=School&q=capacity%3E1&text=%E4%B8%AD%E5%A4%AE&page=3&size=50');
    expect(pageWindow(state)).toEqual({ limit: 50, offset: 100 });
  });

  it('falls back to page 1 and the default size', () => {
    expect(parseExplorerState(new URLSearchParams('page=-2&size=7'))).toMatchObject({ page: 1, size: 20 });
    expect(explorerSearch(parseExplorerState(new URLSearchParams('')))).toBe('');
  });

  it('counts pages', () => {
    expect(pageCount(0, 20)).toBe(1);
    expect(pageCount(41, 20)).toBe(3);
  });
});
