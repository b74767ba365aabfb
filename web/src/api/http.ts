// fetch for the API with RFC 7807 problem details turned into ApiError.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
    readonly problemType: string | undefined,
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
}

export async function getJson<T>(url: string, accept = 'application/json', signal?: AbortSignal): Promise<JsonResponse<T>> {
  const response = await fetch(url, { headers: { Accept: accept }, signal });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const problem = (body ?? {}) as Problem;
    throw new ApiError(response.status, problem.title ?? response.statusText, problem.detail, problem.type);
  }
  return { data: body as T, headers: response.headers };
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}
