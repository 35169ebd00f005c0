import { parseFrame, SseFrameReader } from './sse-frames';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('parseFrame', () => {
  it('reads id, event, every data line and retry; skips comments and unknown fields', () => {
    expect(parseFrame(': keep-alive\nid: 42\nevent: delivery\ndata: {"a":\ndata:1}\nretry: 5000\nfoo: bar')).toEqual({
      id: '42',
      event: 'delivery',
      data: ['{"a":', '1}'],
      retryMs: 5000,
    });
  });

  it("defaults the event to 'message', keeps a value's inner spaces and ignores a retry that is not a number", () => {
    expect(parseFrame('data:  two spaces\r\nretry: soon\r\nid')).toEqual({
      id: '',
      event: 'message',
      data: [' two spaces'],
      retryMs: null,
    });
  });
});

describe('SseFrameReader', () => {
  it('hands over each frame once complete, across chunk boundaries and line endings', () => {
    const reader = new SseFrameReader();
    expect(reader.push(bytes('id: 1\nevent: feed\nda'))).toEqual([]);
    expect(reader.push(bytes('ta: x\n\nid: 2\r\nevent: feed\r\ndata: y\r\n\r\n: ping\n'))).toEqual([
      { id: '1', event: 'feed', data: ['x'], retryMs: null },
      { id: '2', event: 'feed', data: ['y'], retryMs: null },
    ]);
    expect(reader.push(bytes('\n'))).toEqual([{ id: null, event: 'message', data: [], retryMs: null }]);
  });

  it('decodes a character split between chunks', () => {
    const reader = new SseFrameReader();
    const text = bytes('data: Душанбе\n\n');
    expect(reader.push(text.slice(0, 9))).toEqual([]);
    expect(reader.push(text.slice(9))).toEqual([{ id: null, event: 'message', data: ['Душанбе'], retryMs: null }]);
  });
});
