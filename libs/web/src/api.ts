/**
 * fetch() with the key the user signed in with, for the hub's JSON APIs. An answer with one of `signOutStatuses`
 * (the key is no longer accepted) signs the user out through `onSignOut` and rejects with SignedOut, which callers
 * ignore: the page already shows the sign-in form.
 */
export class SignedOut extends Error {
  constructor() {
    super('signed out');
  }
}

/** An answer's status and its parsed JSON body (null when empty; {message: text} when not JSON). */
export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
}

/** The hub's error shape: a message and, for a request that failed validation, one detail per field. */
export interface ErrorBody {
  /** The error code (validation_failed, forbidden…): what a page translates; the message stays English. */
  error?: string;
  message?: string;
  details?: { path: string; message: string }[];
}

export interface ApiOptions {
  /** The key to send; null when signed out. */
  key(): string | null;
  signOutStatuses: readonly number[];
  onSignOut(status: number): void;
}

export class HubApi {
  constructor(private readonly options: ApiOptions) {}

  /** fetch() with the Authorization header and no caching; answers are the caller's to read. */
  fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('Authorization', 'Bearer ' + this.options.key());
    return fetch(path, { ...init, headers, cache: 'no-store' });
  }

  /** A JSON request; the body type is what the caller expects for a success (it is not checked here). */
  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiAnswer<T>> {
    const allHeaders: Record<string, string> = { ...headers };
    if (body !== undefined) allHeaders['Content-Type'] = 'application/json';
    const response = await this.fetch(path, {
      method,
      headers: allHeaders,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    this.checkAccepted(response);
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = { message: text };
    }
    return { status: response.status, body: parsed as T };
  }

  /** GET a JSON document; any status but 2xx rejects, naming the path. */
  async getJson<T>(path: string): Promise<T> {
    const response = await this.fetch(path);
    this.checkAccepted(response);
    if (!response.ok) throw new Error(path + ': HTTP ' + response.status);
    return (await response.json()) as T;
  }

  private checkAccepted(response: Response): void {
    if (!this.options.signOutStatuses.includes(response.status)) return;
    this.options.onSignOut(response.status);
    throw new SignedOut();
  }
}

/** The error body of an answer, whatever its shape. */
export function errorBody(answer: ApiAnswer): ErrorBody {
  return answer.body && typeof answer.body === 'object' ? (answer.body as ErrorBody) : {};
}
