import { HubService } from '@hub/contracts/topics';

export interface ObservabilityOptions {
  service: HubService;
  /** Bearer token GET /metrics requires; unset leaves it open (for loopback-only local runs). */
  metricsToken?: string;
}

export const OBSERVABILITY_OPTIONS = Symbol('OBSERVABILITY_OPTIONS');
