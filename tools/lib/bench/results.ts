/**
 * What a run measures, phase by phase: the shapes of bench-results/<timestamp>.json, as the report
 * (report.ts) and BENCHMARKS.md read them. Every figure is filled in by the phase that measures it.
 */
import type { BulkResult } from './bulk';
import type { ComparisonSummary, VariantRun } from './compare';
import type { BenchOptions } from '../bench';
import type { LatencySummary, PhaseResources } from './metrics';
import type { ProfileSummary } from './profile-summary';

// ── baseline (baseline.ts) ───────────────────────────────────────────────────────────────────────────────────────

export interface ThroughputResult {
  batchSize: number;
  inFlight: number;
  produced: number;
  consumed: number;
  complete: boolean;
  produceSeconds: number;
  messagesPerSecond: number;
  produceMessagesPerSecond: number;
}

export interface LatencyAtRateResult {
  rate: number;
  seconds: number;
  messages: number;
  latencyMs: LatencySummary;
  machineBusyPercent: number;
}

export interface BaselineResult {
  messageBytes: number;
  partitions: number;
  acks: number;
  idempotent: boolean;
  batched: ThroughputResult;
  single: ThroughputResult;
  singleHubSettings?: ThroughputResult;
  latency: LatencyAtRateResult;
}

// ── end to end (exchange.ts, diagnostics.ts, cost.ts) ────────────────────────────────────────────────────────────

/** Consumer lag by "<group> ← <topic>". */
export type ConsumerLag = Record<string, number>;

export interface WorkPerAlert {
  kafkaMessages: Record<string, number>;
  databaseTransactions: number;
  rowsWrittenByTable: Record<string, number>;
  /** pg_stat_wal per alert: records, bytes, write and fsync calls. */
  walPerAlert?: { records: number; bytes: number; writes: number; syncs: number } | null;
  /** Per service, per alert (consumer batches: counts over the phase, by topic and size bucket). */
  services?: Record<
    string,
    {
      sqlStatements: number;
      commits: number;
      produceCalls: number;
      kafkaRequests: Record<string, number>;
      consumerBatches: Record<string, { batches: number; bySize: Record<string, number> }>;
    }
  > | null;
  note: string;
}

export interface StageLatencies {
  note: string;
  deliveryTopicRecords: Record<string, number>;
  submissionInKafkaTo202ReadByClient: LatencySummary;
  routingSubmittedToDeliveryInKafka: LatencySummary;
  deliveryInKafkaToRecipientStream: LatencySummary;
}

/** Diagnostics.end(): the phase as seen from the broker and PostgreSQL. */
export interface PhaseObservations {
  maxConsumerLag: ConsumerLag;
  consumerLagEverySecond: ({ t: number } & ConsumerLag)[];
  /** app → "state / wait" → average connections in that state. */
  averageBusyDatabaseConnections: Record<string, Record<string, number>>;
}

export interface PhaseDiagnostics extends PhaseObservations {
  consumerLagAtStart: ConsumerLag | null;
  consumerLagAtEndOfPosting: ConsumerLag | null;
  allConsumersCaughtUp: boolean;
  consumerLagAtEnd: ConsumerLag | null;
  allConsumersCaughtUpSecondsAfterLastPost: number;
  workPerAcceptedAlert: WorkPerAlert | null;
}

export type PhaseAudit =
  | { status: string }
  | {
      status: string;
      appended: number;
      eventsOnTopic: number;
      entriesPerSecond: number;
      lagAfterLastDeliverySeconds: number;
    };

/** One measured phase of the exchange (fixed rate or saturation). */
export interface ExchangePhaseResult {
  name: string;
  offered: string;
  postingSeconds: number;
  sent: number;
  accepted: number;
  errors: Record<string, number>;
  firstError: string | null;
  maxRequestsInFlight: number;
  acceptedPerSecond: number;
  deliveriesExpected: number;
  deliveriesVisible: number;
  alertsFullyDelivered: number;
  complete: boolean;
  duplicateEvents: number;
  deliveredBeforeSenderRead202: number;
  endToEndSeconds: number;
  drainSecondsAfterLastPost: number;
  alertsPerSecond: number;
  deliveriesPerSecond: number;
  pipelineDeliveriesPerSecondWhilePosting: number;
  pipeline: { seconds: number; deliveriesPerSecond: number; alertsPerSecond: number; backlogAtStart: number | null };
  drainedCompletely: boolean;
  incomplete: string[] | null;
  /** Per process, or why it cannot be attributed. */
  cpuMsPerAlertAboveIdle: Record<string, number> | string;
  latencyMs: { submit: LatencySummary; delivery: LatencySummary; total: LatencySummary; hops?: StageLatencies };
  inboxRowsInDatabase: number;
  inboxRowsExpected: number;
  audit: PhaseAudit;
  resources: PhaseResources;
  diagnostics: PhaseDiagnostics | null;
}

/** A service's counts per accepted alert in one cost batch. */
export interface ServiceCost {
  sqlStatements: number;
  commits: number;
  produceCalls: number;
  messagesProduced: number;
  sqlStatementsAboveIdle?: number;
  commitsAboveIdle?: number;
}

export interface CostBatchResult {
  kind: 'restricted' | 'regional';
  knownAgencies: number;
  routingCandidatesPerVersion: number | null;
  alerts: number;
  errors: Record<string, number>;
  firstError: string | null;
  complete: boolean;
  deliveriesPerAlert: number | null;
  seconds?: number;
  kafkaMessagesByTopic?: Record<string, number>;
  kafkaMessages?: number;
  auditEntries?: number;
  databaseTransactions?: number;
  services?: Record<string, ServiceCost>;
  auditEntriesByType: Record<string, number>;
}

export interface IdleRate {
  sqlStatementsPerSecond: number;
  commitsPerSecond: number;
}

export type CostResult =
  | { status: string; batches?: undefined }
  | {
      status?: undefined;
      note: string;
      alertsPerBatch: number;
      rate: number;
      idle: Record<string, IdleRate>;
      seconds: number;
      batches: CostBatchResult[];
    };

export interface EndToEndResult {
  cost: CostResult;
  idleCpuPercentOfOneCore: Record<string, number> | null;
  agencies: number;
  recipientsPerAlert: string;
  bodyBytes: number;
  fixed: ExchangePhaseResult;
  saturation: ExchangePhaseResult;
  /** Issue 27: POST /v1/alerts/batch and POST /v1/hits (bulk.ts). */
  bulk?: BulkResult;
  streamErrors: string[];
}

// ── the audit log at scale (audit-scale.ts, audit-services.ts) ───────────────────────────────────────────────────

export interface VerifyOutcome {
  ok: boolean;
  checkedEntries: number;
  seconds: number;
  entriesPerSecond: number;
  machineBusyPercent: number;
  output: string[];
}

/**
 * The audit section: why it did not run (`status` only), or its figures (`status: 'measured'`), with `rows`, the
 * report's lines (label, value); each way of building the log adds figures of its own.
 */
export interface AuditResult {
  status: string;
  note?: string;
  entries?: number;
  verify?: VerifyOutcome & { how: string };
  verifyLibraryInMemory?: { entriesPerSecond: number };
  rows?: [string, string][];
  [figure: string]: unknown;
}

// ── the run ──────────────────────────────────────────────────────────────────────────────────────────────────────

export interface MachineFacts {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  kafka: string;
  os: string;
  gitCommit: string;
  gitDirty: boolean;
  loadAverageStart: number[];
  jestRunningAtStart: boolean;
  loadAverageEnd?: number[];
  jestRunningAtEnd?: boolean;
  postgres?: string;
  postgresSettings?: Record<string, string>;
  kafkaBroker?: BrokerFacts | { error: string };
}

export interface BrokerFacts {
  brokers: number;
  replicationFactorOfHubTopics: string;
  defaultReplicationFactor?: string | null;
  minInsyncReplicas?: string | null;
}

export interface Goal {
  goal: string;
  measured: string;
  met: boolean | null;
}

export interface Ratios {
  sustainedAlertsPerSecond: number;
  alertsPerSecondOverBatchedBaseline: number | null;
  alertsPerSecondOverSingleSendBaseline: number | null;
  fixedRateP99OverBaselineP99: number | null;
}

export type ProfileResult = { status: string } | (ProfileSummary & { perAcceptedAlert?: unknown });

/** The results file: every phase's figures, as the report and BENCHMARKS.md read them. */
export interface BenchResults {
  startedAt: string;
  command: string;
  options: BenchOptions;
  machine: MachineFacts;
  resultsFile: string;
  baseline?: BaselineResult;
  baselineStatus?: string;
  endToEnd?: EndToEndResult;
  endToEndStatus?: string;
  profiles?: Record<string, ProfileResult>;
  audit?: AuditResult;
  error?: string;
  peakRssMb?: Record<string, number>;
  finishedAt?: string;
  goals?: Goal[];
  ratios?: Ratios | null;
  /** `--compare`: each variant's runs and their medians. */
  comparison?: { runs: VariantRun[]; summary: ComparisonSummary };
}
