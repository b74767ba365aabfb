// Query strings for the NGSI-LD API. machi keeps '+' as '+' (it is not a
// space), so every value is percent-encoded with encodeURIComponent rather
// than URLSearchParams, which writes spaces as '+'.
export type QueryValue = string | number | boolean | undefined | null;

export function toQueryString(params: Record<string, QueryValue>): string {
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  }
  return pairs.length ? `?${pairs.join('&')}` : '';
}

// Escapes text so that a regular expression (RE2) matches it literally.
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// A q term matching entities whose attribute contains text, ignoring case.
// Inside a quoted q pattern only '"' needs a backslash.
export function containsQ(attribute: string, text: string): string {
  const pattern = `(?i).*${escapeRegex(text.trim())}.*`;
  return `${attribute}~="${pattern.replace(/"/g, '\\"')}"`;
}

// Joins q expressions with AND (';'), each parenthesised.
export function andQ(...terms: (string | undefined)[]): string | undefined {
  const present = terms.map((t) => t?.trim()).filter((t): t is string => !!t);
  if (present.length === 0) return undefined;
  if (present.length === 1) return present[0];
  return present.map((t) => `(${t})`).join(';');
}

export interface EntityFilter {
  type?: string;
  idPattern?: string;
  q?: string;
  text?: string;
}

export interface Page {
  limit: number;
  offset: number;
}

// Parameters of GET /ngsi-ld/v1/entities for a filter and a page.
export function entitiesQuery(filter: EntityFilter, page: Page, extra: Record<string, QueryValue> = {}): string {
  const q = andQ(filter.q, filter.text?.trim() ? containsQ('name', filter.text) : undefined);
  return toQueryString({
    type: filter.type,
    idPattern: filter.idPattern,
    q,
    limit: page.limit,
    offset: page.offset,
    count: true,
    ...extra,
  });
}
