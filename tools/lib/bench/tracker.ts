/**
 * Matches the 202s of posted alerts with the deliveries seen on the recipients' streams, per phase: what the
 * exchange's latency and completeness figures are counted from. No I/O: times are performance.now() values.
 */
import { performance } from 'node:perf_hooks';
import type { VisibleDelivery } from './diagnostics';

/** The running counts of one phase (readiness, warm-up, fixed rate, saturation, a cost batch). */
export interface TrackedPhase {
  name: string;
  sent: number;
  accepted: number;
  errors: Record<string, number>;
  firstError?: string;
  /** Deliveries the accepted alerts should make visible, and those seen so far. */
  expected: number;
  visible: number;
  /** Alerts whose every delivery has been seen. */
  complete: number;
  duplicates: number;
  /** Deliveries seen before the sender read its 202. */
  beforeAccepted: number;
  submitMs: number[];
  deliveryMs: number[];
  totalMs: number[];
  firstSend: number | null;
  lastSend: number | null;
  lastAccepted: number | null;
  lastVisible: number | null;
  lastComplete: number | null;
  maxInFlight: number;
  inFlight: number;
  hops: VisibleDelivery[];
}

/** One accepted alert: how many deliveries it should make, and how many have been seen. */
export interface TrackedAlert {
  phase: TrackedPhase;
  alertId: string;
  expected: number;
  seen: number;
  intendedAt: number;
  acceptedAt: number;
}

export class Tracker {
  readonly alerts = new Map<string, TrackedAlert>();
  /** Deliveries seen before their alert's 202 was read, by alert id. */
  private readonly early = new Map<string, { arrived: number; recipient: string }[]>();
  private current: TrackedPhase | null = null;
  totalExpected = 0;
  totalVisible = 0;
  /** Arrival time of every delivery of every alert, whatever phase posted it: the pipeline's output. */
  readonly arrivals: number[] = [];

  /** Deliveries (of any alert) that became visible between from and to (performance.now() times). */
  arrivedBetween(from: number, to: number): number {
    let n = 0;
    for (const t of this.arrivals) if (t >= from && t <= to) n++;
    return n;
  }

  begin(name: string): TrackedPhase {
    this.current = {
      name,
      sent: 0,
      accepted: 0,
      errors: {},
      expected: 0,
      visible: 0,
      complete: 0,
      duplicates: 0,
      beforeAccepted: 0,
      submitMs: [],
      deliveryMs: [],
      totalMs: [],
      firstSend: null,
      lastSend: null,
      lastAccepted: null,
      lastVisible: null,
      lastComplete: null,
      maxInFlight: 0,
      inFlight: 0,
      hops: [],
    };
    return this.current;
  }

  /** A request of the current phase is about to be sent; `intendedAt` is its slot (open loop) or send time. */
  sending(intendedAt: number): TrackedPhase {
    const phase = this.current;
    if (!phase) throw new Error('Tracker.sending before Tracker.begin');
    phase.sent++;
    phase.inFlight++;
    phase.maxInFlight = Math.max(phase.maxInFlight, phase.inFlight);
    if (phase.firstSend === null) phase.firstSend = intendedAt;
    phase.lastSend = intendedAt;
    return phase;
  }

  failed(phase: TrackedPhase, reason: string): void {
    phase.inFlight--;
    phase.errors[reason] = (phase.errors[reason] || 0) + 1;
  }

  accepted(phase: TrackedPhase, alertId: string, expected: number, intendedAt: number, acceptedAt: number): void {
    phase.inFlight--;
    phase.accepted++;
    phase.expected += expected;
    this.totalExpected += expected;
    phase.submitMs.push(acceptedAt - intendedAt);
    phase.lastAccepted = acceptedAt;
    const record: TrackedAlert = { phase, alertId, expected, seen: 0, intendedAt, acceptedAt };
    this.alerts.set(alertId, record);
    const early = this.early.get(alertId);
    if (early) {
      this.early.delete(alertId);
      for (const { arrived, recipient } of early) {
        phase.beforeAccepted++;
        this.visible(record, arrived, recipient);
      }
    }
  }

  /** An SSE delivery event arrived. */
  onDelivery(item: { alertId: string }, arrived: number, recipient: string): void {
    this.totalVisible++;
    this.arrivals.push(arrived);
    const record = this.alerts.get(item.alertId);
    if (!record) {
      // Delivered before the sender read its 202 (possible: the 202 is sent after Kafka has the submission).
      const list = this.early.get(item.alertId) || [];
      list.push({ arrived, recipient });
      this.early.set(item.alertId, list);
      return;
    }
    this.visible(record, arrived, recipient);
  }

  private visible(record: TrackedAlert, arrived: number, recipient: string): void {
    const phase = record.phase;
    record.seen++;
    if (record.seen > record.expected) {
      phase.duplicates++;
      return;
    }
    phase.visible++;
    phase.hops.push({
      alertId: record.alertId,
      recipient,
      acceptedEpoch: performance.timeOrigin + record.acceptedAt,
      visibleEpoch: performance.timeOrigin + arrived,
    });
    phase.deliveryMs.push(Math.max(0, arrived - record.acceptedAt));
    phase.totalMs.push(arrived - record.intendedAt);
    phase.lastVisible = Math.max(phase.lastVisible ?? 0, arrived);
    if (record.seen === record.expected) {
      phase.complete++;
      phase.lastComplete = Math.max(phase.lastComplete ?? 0, arrived);
    }
  }
}
