import { parseCheckpoint } from './checkpoint';
import { AuditEntryPage, AuditEntryView, AuditLogSource } from './verify-source';

// The audit-log API over HTTP as an AuditLogSource: pages of entries, the `leaves` export, checkpoints and proofs.

export interface HttpAuditLogSourceOptions {
  /** e.g. http://localhost:3002 */
  baseUrl: string;
  /** An auditor key, sent as `Authorization: Bearer`. */
  apiKey: string;
  /** 1..1000 */
  pageSize?: number;
  fetch?: typeof fetch;
}

export class AuditLogHttpError extends Error {
  constructor(
    message: string,
    readonly url: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'AuditLogHttpError';
  }
}

export interface HttpAuditLogSource extends AuditLogSource {
  /** The server's own claim about its key: only for a first look, since trusting it defeats verification. */
  fetchPublicKeyPem(): Promise<string>;
}

export function createHttpAuditLogSource(options: HttpAuditLogSourceOptions): HttpAuditLogSource {
  const fetchImpl = options.fetch ?? fetch;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const pageSize = options.pageSize ?? 1000;

  async function get(
    route: string,
    query: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<{ response: Response; url: string }> {
    const url = new URL(`${baseUrl}${route}`);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    let response: Response;
    try {
      response = await fetchImpl(url, { headers: { authorization: `Bearer ${options.apiKey}` }, signal });
    } catch (error) {
      throw new AuditLogHttpError(`cannot reach ${url}: ${(error as Error).message}`, url.toString());
    }
    if (!response.ok) {
      throw new AuditLogHttpError(`GET ${url} answered ${response.status}`, url.toString(), response.status);
    }
    return { response, url: url.toString() };
  }

  async function getJson(route: string, query?: Record<string, string>): Promise<{ body: unknown; url: string }> {
    const { response, url } = await get(route, query);
    try {
      return { body: await response.json(), url };
    } catch {
      throw new AuditLogHttpError(`GET ${url} did not return JSON`, url, response.status);
    }
  }

  const malformed = (url: string, expected: string) =>
    new AuditLogHttpError(`GET ${url} did not return ${expected}`, url);

  return {
    async fetchEntries(after) {
      const query = { ...(after === null ? {} : { after }), limit: String(pageSize) };
      const { body, url } = await getJson('/v1/audit/entries', query);
      if (!isEntryPage(body)) throw malformed(url, '{items: [...], nextCursor}');
      return body;
    },
    async fetchLatestCheckpoint() {
      const { body, url } = await getJson('/v1/audit/checkpoint');
      try {
        return parseCheckpoint(body);
      } catch (error) {
        throw malformed(url, `a checkpoint (${(error as Error).message})`);
      }
    },
    async fetchConsistencyProof(from, to) {
      const { body, url } = await getJson('/v1/audit/proofs/consistency', { from: String(from), to: String(to) });
      const proof = (body as { proof?: unknown } | null)?.proof;
      if (!Array.isArray(proof) || !proof.every((hash): hash is string => typeof hash === 'string')) {
        throw malformed(url, '{proof: [hex, ...]}');
      }
      return proof;
    },
    async *streamEntries() {
      const abort = new AbortController();
      const { response, url } = await get('/v1/audit/export', { format: 'leaves' }, abort.signal);
      if (!response.body) throw new AuditLogHttpError(`GET ${url} answered ${response.status}`, url, response.status);
      const decoder = new TextDecoder();
      let pending = '';
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          pending += decoder.decode(chunk, { stream: true });
          const cut = pending.lastIndexOf('\n');
          if (cut < 0) continue;
          const items = parseLeafLines(pending.slice(0, cut));
          pending = pending.slice(cut + 1);
          if (items.length > 0) yield items;
        }
        pending += decoder.decode();
        const rest = parseLeafLines(pending);
        if (rest.length > 0) yield rest;
      } catch (error) {
        throw new AuditLogHttpError(`GET ${url} broke off: ${(error as Error).message}`, url);
      } finally {
        // The verifier stops at the checkpoint's size: the rest of the export is not needed.
        abort.abort();
      }
    },
    async fetchPublicKeyPem() {
      const { response, url } = await get('/v1/audit/public-key');
      const text = await response.text();
      if (!(response.headers.get('content-type') ?? '').includes('json')) return text;
      let pem: unknown;
      try {
        const body = JSON.parse(text) as { publicKeyPem?: unknown; publicKey?: unknown };
        pem = body.publicKeyPem ?? body.publicKey;
      } catch {
        pem = undefined;
      }
      if (typeof pem !== 'string') throw malformed(url, 'a PEM public key');
      return pem;
    },
  };
}

/**
 * Lines of the `leaves` export: `seq TAB leafHashHex TAB storedEntryText`. A line that does not have that shape
 * becomes an item with no valid seq, so the verifier reports the position where the log stops making sense.
 */
export function parseLeafLines(text: string): AuditEntryView[] {
  const items: AuditEntryView[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    const first = line.indexOf('\t');
    const second = first < 0 ? -1 : line.indexOf('\t', first + 1);
    if (second < 0) {
      items.push({ seq: Number.NaN, entry: line });
      continue;
    }
    const entryText = line.slice(second + 1);
    items.push({
      seq: Number(line.slice(0, first)),
      leafHash: line.slice(first + 1, second) || undefined,
      entry: entryText,
      entryText,
    });
  }
  return items;
}

function isEntryPage(body: unknown): body is AuditEntryPage {
  if (typeof body !== 'object' || body === null) return false;
  const { items, nextCursor } = body as Record<string, unknown>;
  return Array.isArray(items) && (nextCursor === null || typeof nextCursor === 'string');
}
