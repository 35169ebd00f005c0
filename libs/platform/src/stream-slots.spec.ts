import { HubError } from './errors';
import { StreamSlots } from './stream-slots';

describe('StreamSlots: open event streams per API key', () => {
  it('refuses the stream over the cap with a 429 naming the streams, per key, and frees a slot once', () => {
    const slots = new StreamSlots(2, 'feed streams');
    const first = slots.acquire('k1');
    slots.acquire('k1');
    expect(() => slots.acquire('k1')).toThrow(HubError);
    expect(() => slots.acquire('k1')).toThrow(/2 feed streams open \(at most 2\)/);
    expect(() => slots.acquire('k2')).not.toThrow();
    first();
    first(); // released twice: still one slot
    expect(() => slots.acquire('k1')).not.toThrow();
    expect(() => slots.acquire('k1')).toThrow(/at most 2/);
  });
});
