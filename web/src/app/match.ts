// Path patterns like "/explorer/entities/:id": pure matching, no DOM.
export type RouteParams = Record<string, string>;

export function matchPath(pattern: string, path: string): RouteParams | null {
  const trim = (p: string) => p.replace(/\/+$/, '') || '/';
  const want = trim(pattern).split('/');
  const have = trim(path).split('/');
  if (want.length !== have.length) return null;
  const params: RouteParams = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? '';
    const h = have[i] ?? '';
    if (w.startsWith(':')) {
      if (!h) return null;
      try {
        params[w.slice(1)] = decodeURIComponent(h);
      } catch {
        return null;
      }
    } else if (w !== h) {
      return null;
    }
  }
  return params;
}

// Fills a pattern's :params, percent-encoding each.
export function buildPath(pattern: string, params: RouteParams = {}): string {
  return pattern.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
}
