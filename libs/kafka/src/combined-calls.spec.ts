import { CombinedCalls } from './combined-calls';
import { BatchAttempt } from './message-handler';

function attempt(topic = 't'): BatchAttempt {
  return { topic, heartbeat: async () => undefined };
}

/** A handler whose calls finish only when the test says so. */
function gatedHandler() {
  const calls: { messages: string[]; topic: string; finish: (error?: Error) => void }[] = [];
  const handle = (messages: string[], batch: BatchAttempt) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ messages, topic: batch.topic, finish: (error) => (error ? reject(error) : resolve()) });
    });
  return { calls, handle };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('CombinedCalls', () => {
  it('runs a lone call at once, with no wait for company', async () => {
    const { calls, handle } = gatedHandler();
    const combined = new CombinedCalls(handle, 100);
    const done = combined.call(['a1', 'a2'], attempt());
    expect(calls.map((c) => c.messages)).toEqual([['a1', 'a2']]);
    calls[0].finish();
    await expect(done).resolves.toBeUndefined();
  });

  it('sends the calls that arrive meanwhile together in the next call, in arrival order', async () => {
    const { calls, handle } = gatedHandler();
    const combined = new CombinedCalls(handle, 100);
    const first = combined.call(['a1'], attempt());
    const second = combined.call(['b1', 'b2'], attempt());
    const third = combined.call(['c1'], attempt());
    expect(calls).toHaveLength(1);
    calls[0].finish();
    await first;
    await tick();
    expect(calls.map((c) => c.messages)).toEqual([['a1'], ['b1', 'b2', 'c1']]);
    calls[1].finish();
    await expect(Promise.all([second, third])).resolves.toEqual([undefined, undefined]);
  });

  it('never combines beyond maxMessages, but lets a larger caller go alone', async () => {
    const { calls, handle } = gatedHandler();
    const combined = new CombinedCalls(handle, 3);
    const all = [
      combined.call(['x'], attempt()),
      combined.call(['a', 'b'], attempt()),
      combined.call(['c', 'd'], attempt()),
      combined.call(['e', 'f', 'g', 'h'], attempt()),
    ];
    for (let i = 0; i < 4; i++) {
      await tick();
      calls[i].finish();
    }
    await Promise.all(all);
    expect(calls.map((c) => c.messages)).toEqual([['x'], ['a', 'b'], ['c', 'd'], ['e', 'f', 'g', 'h']]);
  });

  it('keeps topics apart: each call has the topic of all its messages', async () => {
    const { calls, handle } = gatedHandler();
    const combined = new CombinedCalls(handle, 100);
    const a = combined.call(['a1'], attempt('one'));
    const b = combined.call(['b1'], attempt('two'));
    const c = combined.call(['c1'], attempt('one'));
    // Two topics run side by side; the second call of topic one waits for the first.
    expect(calls.map((call) => [call.topic, call.messages])).toEqual([
      ['one', ['a1']],
      ['two', ['b1']],
    ]);
    calls[0].finish();
    calls[1].finish();
    await Promise.all([a, b]);
    await tick();
    expect(calls[2].topic).toBe('one');
    expect(calls[2].messages).toEqual(['c1']);
    calls[2].finish();
    await c;
  });

  it('fails every caller of a failed call, and the callers after it still run', async () => {
    const { calls, handle } = gatedHandler();
    const combined = new CombinedCalls(handle, 100);
    const first = combined.call(['a1'], attempt());
    const second = combined.call(['b1'], attempt());
    const third = combined.call(['c1'], attempt());
    calls[0].finish();
    await first;
    await tick();
    calls[1].finish(new Error('database down'));
    await expect(second).rejects.toThrow('database down');
    await expect(third).rejects.toThrow('database down');
    const fourth = combined.call(['d1'], attempt());
    expect(calls[2].messages).toEqual(['d1']);
    calls[2].finish();
    await expect(fourth).resolves.toBeUndefined();
  });
});
