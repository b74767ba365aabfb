// The explorer's state lives in the URL (?type=&idPattern=&q=&text=&page=&size=)
// so that the back button, reloads and shared links keep it.
import type { EntityFilter, Page } from '../../api/query';

export const PAGE_SIZES = [20, 50, 100] as const;
export const DEFAULT_PAGE_SIZE = 20;

export interface ExplorerState {
  filter: EntityFilter;
  page: number; // 1-based
  size: number;
}

function text(query: URLSearchParams, key: string): string | undefined {
  const value = query.get(key)?.trim();
  return value ? value : undefined;
}

export function parseExplorerState(query: URLSearchParams): ExplorerState {
  const size = Number(query.get('size'));
  const page = Math.floor(Number(query.get('page')));
  return {
    filter: { type: text(query, 'type'), idPattern: text(query, 'idPattern'), q: text(query, 'q'), text: text(query, 'text') },
    page: Number.isFinite(page) && page >= 1 ? page : 1,
    size: (PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_PAGE_SIZE,
  };
}

export function explorerSearch(state: ExplorerState): string {
  const pairs: [string, string | undefined][] = [
    ['type', state.filter.type],
    ['idPattern', state.filter.idPattern],
    ['q', state.filter.q],
    ['text', state.filter.text],
    ['page', state.page > 1 ? String(state.page) : undefined],
    ['size', state.size !== DEFAULT_PAGE_SIZE ? String(state.size) : undefined],
  ];
  const present = pairs.filter((p): p is [string, string] => !!p[1]);
  return present.length ? `?${present.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}` : '';
}

export function pageWindow(state: ExplorerState): Page {
  return { limit: state.size, offset: (state.page - 1) * state.size };
}

export function pageCount(total: number, size: number): number {
  return Math.max(1, Math.ceil(total / size));
}
