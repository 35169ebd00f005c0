export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A small JSON client over fetch for tests and scripts. */
export async function api<T = any>(
  base: string,
  method: string,
  path: string,
  {
    key,
    body,
    headers = {},
    rawBody,
  }: { key?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {},
): Promise<ApiResponse<T>> {
  const init: RequestInit = { method, headers: { ...headers } };
  const h = init.headers as Record<string, string>;
  if (key) h.authorization = `Bearer ${key}`;
  if (rawBody !== undefined) init.body = rawBody;
  else if (body !== undefined) {
    h['content-type'] = h['content-type'] ?? 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}
