import { Tracker } from './tracker';

describe('Tracker', () => {
  it('times each delivery from the 202 and from the intended send, and completes an alert on its last', () => {
    const tracker = new Tracker();
    const phase = tracker.begin('fixed-rate');
    const sent = tracker.sending(100);
    tracker.accepted(sent, 'a1', 2, 100, 110);
    tracker.onDelivery({ alertId: 'a1' }, 130, 'KZ-BENCH03');
    expect(phase.complete).toBe(0);
    tracker.onDelivery({ alertId: 'a1' }, 150, 'KG-BENCH02');
    expect(phase).toMatchObject({ sent: 1, accepted: 1, expected: 2, visible: 2, complete: 1, inFlight: 0 });
    expect(phase.submitMs).toEqual([10]);
    expect(phase.deliveryMs).toEqual([20, 40]);
    expect(phase.totalMs).toEqual([30, 50]);
    expect(phase.lastComplete).toBe(150);
    expect(phase.hops.map((h) => h.recipient)).toEqual(['KZ-BENCH03', 'KG-BENCH02']);
  });

  it('counts a delivery seen before its 202 once the 202 arrives (delivery time never negative)', () => {
    const tracker = new Tracker();
    const phase = tracker.begin('saturation');
    const sent = tracker.sending(0);
    tracker.onDelivery({ alertId: 'early' }, 5, 'TJ-BENCH01');
    expect(phase.visible).toBe(0);
    tracker.accepted(sent, 'early', 1, 0, 8);
    expect(phase).toMatchObject({ visible: 1, complete: 1, beforeAccepted: 1 });
    expect(phase.deliveryMs).toEqual([0]);
    expect(phase.totalMs).toEqual([5]);
  });

  it('counts deliveries beyond the expected as duplicates, not as visible', () => {
    const tracker = new Tracker();
    const phase = tracker.begin('fixed-rate');
    tracker.accepted(tracker.sending(0), 'a', 1, 0, 1);
    tracker.onDelivery({ alertId: 'a' }, 2, 'X');
    tracker.onDelivery({ alertId: 'a' }, 3, 'X');
    expect(phase).toMatchObject({ visible: 1, duplicates: 1 });
    expect(tracker.totalVisible).toBe(2);
  });

  it('keeps errors by reason and the peak of requests in flight', () => {
    const tracker = new Tracker();
    const phase = tracker.begin('saturation');
    const a = tracker.sending(0);
    tracker.sending(1);
    tracker.failed(a, '503');
    tracker.failed(a, '503');
    expect(phase.errors).toEqual({ '503': 2 });
    expect(phase.maxInFlight).toBe(2);
  });

  it("counts the pipeline's output in a window whatever phase posted the alerts", () => {
    const tracker = new Tracker();
    tracker.begin('one');
    tracker.accepted(tracker.sending(0), 'a', 3, 0, 1);
    tracker.onDelivery({ alertId: 'a' }, 10, 'X');
    tracker.onDelivery({ alertId: 'a' }, 20, 'Y');
    tracker.begin('two');
    tracker.onDelivery({ alertId: 'a' }, 30, 'Z');
    expect(tracker.arrivedBetween(15, 30)).toBe(2);
    expect(tracker.arrivedBetween(0, 9)).toBe(0);
  });

  it('refuses a send before a phase has begun', () => {
    expect(() => new Tracker().sending(0)).toThrow(/before Tracker.begin/);
  });
});
