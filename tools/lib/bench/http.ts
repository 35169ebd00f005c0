/** Loopback HTTP for the benchmark and the chaos run: a keep-alive JSON client and a Server-Sent Events reader (node:http only). */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface HttpResponse {
  status: number;
  /** Parsed when JSON, the text otherwise. */
  body: any;
  headers: http.IncomingHttpHeaders;
}

export interface RequestOptions {
  key?: string;
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export function createClient(baseUrl: string, { maxSockets = 256 }: { maxSockets?: number } = {}) {
  const base = new URL(baseUrl);
  if (base.hostname !== '127.0.0.1' && base.hostname !== 'localhost') throw new Error(`loopback only: ${baseUrl}`);
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' });

  /** Resolves to { status, body, headers } (body parsed when JSON); rejects only on transport errors. */
  function request(
    method: string,
    path: string,
    { key, body, headers = {}, timeoutMs = 60000 }: RequestOptions = {},
  ): Promise<HttpResponse> {
    const payload = body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: base.hostname,
          port: base.port,
          method,
          path,
          agent,
          headers: {
            ...(key ? { authorization: `Bearer ${key}` } : {}),
            ...(payload !== null
              ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
              : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            if ((res.headers['content-type'] || '').includes('json') && text) {
              try {
                parsed = JSON.parse(text);
              } catch {
                parsed = text;
              }
            }
            resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
          });
          res.on('error', reject);
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
      if (payload !== null) req.write(payload);
      req.end();
    });
  }

  return { request, agent, close: () => agent.destroy() };
}

/**
 * Opens GET <path> as an event stream and calls onEvent(data, arrivalMs) for each `data:` event, timestamped with
 * performance.now() when its bytes arrive. Returns { ready, close, stats }.
 */
export function openEventStream(
  baseUrl: string,
  path: string,
  key: string,
  onEvent: (event: string, data: any, arrivedMs: number, id: string | null) => void,
  {
    onError = () => undefined,
    headers = {},
  }: { onError?: (error: Error) => void; headers?: Record<string, string> } = {},
) {
  const base = new URL(baseUrl);
  let request: http.ClientRequest | null = null;
  let closed = false;
  const stats = { events: 0, bytes: 0, errors: 0 };
  const ready = new Promise<void>((resolve, reject) => {
    request = http.get(
      {
        host: base.hostname,
        port: base.port,
        path,
        headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream', ...headers },
      },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`GET ${path} answered ${res.statusCode}`));
          res.resume();
          return;
        }
        res.setEncoding('utf8');
        let buffer = '';
        res.on('data', (chunk: string) => {
          const arrived = performance.now();
          stats.bytes += chunk.length;
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let data: string | null = null;
            let event = 'message';
            let id: string | null = null;
            for (const line of block.split('\n')) {
              if (line.startsWith('data:')) data = (data === null ? '' : data + '\n') + line.slice(5).trimStart();
              else if (line.startsWith('event:')) event = line.slice(6).trim();
              else if (line.startsWith('id:')) id = line.slice(3).trim();
            }
            if (data === null) continue;
            stats.events++;
            try {
              onEvent(event, JSON.parse(data), arrived, id);
            } catch (error) {
              stats.errors++;
              onError(error as Error);
            }
          }
        });
        res.on('end', () => {
          if (!closed) onError(new Error(`stream ${path} ended by the server`));
        });
        res.on('error', (error: Error) => {
          if (!closed) onError(error);
        });
        resolve();
      },
    );
    request.on('error', (error: Error) => {
      if (!closed) {
        onError(error);
        reject(error);
      }
    });
  });
  return {
    ready,
    stats,
    close() {
      closed = true;
      request?.destroy();
    },
  };
}
