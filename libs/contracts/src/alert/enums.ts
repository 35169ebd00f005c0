/** Closed vocabularies of the alert contract v1. Add values only with a contract version bump. */

export const ALERT_STATUSES = ['actual', 'exercise', 'test'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export const ALERT_CATEGORIES = [
  'seizure',
  'suspicious-shipment',
  'person-of-interest',
  'vehicle-of-interest',
  'route-intelligence',
  'controlled-delivery',
  'request-for-information',
] as const;
export type AlertCategory = (typeof ALERT_CATEGORIES)[number];

/** CAP 1.2 urgency, severity and certainty, in CAP's own (lower-case) spelling. */
export const URGENCIES = ['immediate', 'expected', 'future', 'past', 'unknown'] as const;
export type Urgency = (typeof URGENCIES)[number];
export const SEVERITIES = ['extreme', 'severe', 'moderate', 'minor', 'unknown'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const CERTAINTIES = ['observed', 'likely', 'possible', 'unlikely', 'unknown'] as const;
export type Certainty = (typeof CERTAINTIES)[number];

/** FIRST Traffic Light Protocol 2.0 labels, without the "TLP:" prefix. */
export const TLP_LEVELS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type TlpLevel = (typeof TLP_LEVELS)[number];

/** Europol handling codes. H2: no onward dissemination without the originator's permission; H3: see handlingConditions. */
export const HANDLING_CODES = ['H0', 'H1', 'H2', 'H3'] as const;
export type HandlingCode = (typeof HANDLING_CODES)[number];

/** 4x4 evaluation: reliability of the source (A certain … C doubtful, X cannot be judged). */
export const SOURCE_RELIABILITIES = ['A', 'B', 'C', 'X'] as const;
export type SourceReliability = (typeof SOURCE_RELIABILITIES)[number];
/** 4x4 evaluation: accuracy of the information (1 known to be true … 4 cannot be judged). Integers in JSON. */
export const INFORMATION_ASSESSMENTS = [1, 2, 3, 4] as const;
export type InformationAssessment = (typeof INFORMATION_ASSESSMENTS)[number];

export const DISTRIBUTION_SCOPES = ['regional', 'restricted'] as const;
export type DistributionScope = (typeof DISTRIBUTION_SCOPES)[number];

export const SUBJECT_TYPES = ['person', 'vehicle', 'container', 'consignment', 'vessel', 'phone'] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];

export const ACK_STATUSES = ['received', 'actioned', 'rejected'] as const;
export type AckStatus = (typeof ACK_STATUSES)[number];

/** Fields the hub stamps on an alert. A body that carries any of them is rejected, never trusted. */
export const HUB_STAMPED_FIELDS = ['alertId', 'version', 'messageId', 'sender', 'receivedAt'] as const;

/** Size limits, in one place so that the API description, validation and storage agree. */
export const ALERT_LIMITS = {
  headline: 160,
  description: 8000,
  handlingConditions: 2000,
  place: 200,
  recipients: 100,
  sharingGroups: 20,
  sharingGroupId: 64,
  rooms: 10,
  subjects: 50,
  references: 20,
  fullName: 200,
  documentNumber: 50,
  plate: 20,
  substance: 200,
  concealment: 500,
  maxQuantityKg: 100_000_000,
  cancelReason: 2000,
  ackNote: 2000,
} as const;
