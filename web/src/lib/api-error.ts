/** A problem+json answer (or a network failure) as one typed error: components show `detail`, tests and reports use `code`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  /** Seconds from Retry-After, when the server sent one (rate limits). */
  readonly retryAfter: number | undefined;
  readonly extensions: Record<string, unknown>;

  constructor(status: number, code: string, detail: string, retryAfter?: number, extensions: Record<string, unknown> = {}) {
    super(`${detail} (${code})`);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.retryAfter = retryAfter;
    this.extensions = extensions;
  }

  /** The server could not be reached at all (offline, stopped). */
  get isNetwork(): boolean {
    return this.status === 0;
  }
}

export const networkErrorCode = 'network_error';

export function isApiError(error: unknown, code?: string): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}

/** Reads a failed response into an ApiError: problem+json when it is one, the status text otherwise. */
export async function toApiError(response: Response): Promise<ApiError> {
  const retryHeader = response.headers.get('Retry-After');
  const retryAfter = retryHeader !== null && /^\d+$/.test(retryHeader) ? Number(retryHeader) : undefined;
  let body: Record<string, unknown> = {};
  try {
    const text = await response.text();
    if (text) body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = {};
  }
  const code = typeof body.code === 'string' ? body.code : `http_${response.status}`;
  const detail =
    typeof body.detail === 'string' ? body.detail : typeof body.title === 'string' ? body.title : response.statusText || `HTTP ${response.status}`;
  return new ApiError(response.status, code, detail, retryAfter, body);
}

/** A readable message for anything thrown: the problem's detail for API errors. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  if (error instanceof Error) return error.message;
  return String(error);
}
