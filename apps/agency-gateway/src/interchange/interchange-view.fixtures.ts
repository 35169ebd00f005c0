import { AlertContent } from '@hub/contracts/alert/alert-content';
import { InterchangeView } from './interchange-view';

/** One alert version as the CAP and STIX specs map it: a fixed id, sender and time, `alert` and `overrides` given. */
export function interchangeView(alert: object | null, overrides: Partial<InterchangeView> = {}): InterchangeView {
  return {
    alertId: '3f1c2b9e-8d4a-4c5e-9b7f-0a1b2c3d4e5f',
    version: 1,
    kind: 'alert',
    sender: 'TJ-DCA',
    at: '2026-12-01T10:15:30.123Z',
    cancelReason: null,
    alert: alert as AlertContent | null,
    signature: null,
    previous: null,
    ...overrides,
  };
}
