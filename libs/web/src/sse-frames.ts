/**
 * Server-sent events read from a fetch() body (EventSource cannot send an Authorization header), cut into frames and
 * fields as the HTML standard describes: frames end at a blank line, lines starting with ':' are comments.
 */
export interface SseFrame {
  /** The frame's `id:` field, or null when it has none. */
  id: string | null;
  /** `event:`, 'message' when absent. */
  event: string;
  /** The `data:` lines, in order (joined with '\n' they are the event's data). */
  data: string[];
  /** `retry:` in milliseconds, when the server set one. */
  retryMs: number | null;
}

const FRAME_END = /\r?\n\r?\n/;

export function parseFrame(frame: string): SseFrame {
  const parsed: SseFrame = { id: null, event: 'message', data: [], retryMs: null };
  for (const line of frame.split(/\r?\n/)) {
    if (!line || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') parsed.id = value;
    else if (field === 'event') parsed.event = value;
    else if (field === 'data') parsed.data.push(value);
    else if (field === 'retry' && /^\d+$/.test(value)) parsed.retryMs = Number(value);
  }
  return parsed;
}

/** Collects the bytes of a stream and hands over each complete frame; a frame split across chunks waits for its end. */
export class SseFrameReader {
  private readonly decoder = new TextDecoder();
  private buffer = '';

  /** The frames completed by this chunk, in order. */
  push(chunk: Uint8Array): SseFrame[] {
    this.buffer += this.decoder.decode(chunk, { stream: true });
    const frames: SseFrame[] = [];
    let boundary = this.buffer.search(FRAME_END);
    while (boundary >= 0) {
      frames.push(parseFrame(this.buffer.slice(0, boundary)));
      this.buffer = this.buffer.slice(boundary).replace(/^\r?\n\r?\n/, '');
      boundary = this.buffer.search(FRAME_END);
    }
    return frames;
  }
}
