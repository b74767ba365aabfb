// fetch for the API: every request carries the bearer token of the
// signed-in session; RFC 7807 problem details (and OAuth 2.0 error
// responses) become ApiError; a 401 ends the session (see configureAuth).
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
    readonly problemType: string | undefined,
    readonly retryAfterSeconds?: number,
  ) {
    super(detail ? `${title}: ${detail}` : title);
    this.name = 'ApiError';
  }
}

export interface JsonResponse<T> {
  data: T;
  headers: Headers;
}

interface Problem {
  type?: string;
  title?: string;
  detail?: string;
  // OAuth 2.0 (RFC 6749 section 5.2), from the token endpoint
  error?: string;
  error_description?: string;
}

export interface AuthHooks {
  token: () => string | null;
  unauthorized: () => void;
}

let auth: AuthHooks = { token: () => null, unauthorized: () => {} };

/** Where the token comes from and what a 401 does (main.tsx wires the session store). */
export function configureAuth(hooks: AuthHooks): void {
  auth = hooks;
}

export interface RequestOptions {
  method?: string;
  accept?: string;
  body?: string;
  contentType?: string;
  signal?: AbortSignal;
  // A token to send instead of the session's (sign-in, sign-out).
  token?: string;
  // Whether a 401 ends the session (not for sign-in itself).
  endSessionOn401?: boolean;
}

function parseBody(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function retryAfter(headers: Headers): number | undefined {
  const value = headers.get('Retry-After');
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
}

export async function request<T>(url: string, options: RequestOptions = {}): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { Accept: options.accept ?? 'application/json' };
  const token = options.token ?? auth.token();
  if (token) headers['Authorization'] = `Bearer ${token}`;
  if (options.contentType) headers['Content-Type'] = options.contentType;
  const init: RequestInit = { method: options.method ?? 'GET', headers };
  if (options.body !== undefined) init.body = options.body;
  if (options.signal) init.signal = options.signal;
  const response = await fetch(url, init);
  const body = parseBody(await response.text());
  if (!response.ok) {
    const problem = (body && typeof body === 'object' ? body : {}) as Problem;
    if (response.status === 401 && options.endSessionOn401 !== false) auth.unauthorized();
    throw new ApiError(
      response.status,
      problem.title ?? problem.error ?? response.statusText,
      problem.detail ?? problem.error_description,
      problem.type ?? problem.error,
      retryAfter(response.headers),
    );
  }
  return { data: body as T, headers: response.headers };
}

export function getJson<T>(url: string, accept = 'application/json', signal?: AbortSignal): Promise<JsonResponse<T>> {
  return request<T>(url, signal ? { accept, signal } : { accept });
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}
