/**
 * Display names of the contract's enum values (libs/contracts/src/alert/enums.ts and the routing reasons), in each
 * language. The wire values are the keys and never change; vocabulary.spec.ts checks that every value the contract
 * knows has a name here.
 */
export interface Vocabulary {
  status: Record<'actual' | 'exercise' | 'test', string>;
  category: Record<
    | 'seizure'
    | 'suspicious-shipment'
    | 'person-of-interest'
    | 'vehicle-of-interest'
    | 'route-intelligence'
    | 'controlled-delivery'
    | 'request-for-information',
    string
  >;
  urgency: Record<'immediate' | 'expected' | 'future' | 'past' | 'unknown', string>;
  severity: Record<'extreme' | 'severe' | 'moderate' | 'minor' | 'unknown', string>;
  certainty: Record<'observed' | 'likely' | 'possible' | 'unlikely' | 'unknown', string>;
  /** TLP labels stay as FIRST defines them (TLP:AMBER); these say what each means, as a tooltip. */
  tlp: Record<'CLEAR' | 'GREEN' | 'AMBER' | 'AMBER+STRICT' | 'RED', string>;
  handling: Record<'H0' | 'H1' | 'H2' | 'H3', string>;
  source: Record<'A' | 'B' | 'C' | 'X', string>;
  information: Record<'1' | '2' | '3' | '4', string>;
  scope: Record<'regional' | 'restricted', string>;
  subjectType: Record<'person' | 'vehicle' | 'container' | 'consignment' | 'vessel' | 'phone', string>;
  ackStatus: Record<'received' | 'actioned' | 'rejected', string>;
  /** What a delivery carries (inbox items, feed deliveries). */
  kind: Record<'alert' | 'update' | 'cancel' | 'match' | 'hit' | 'room-message', string>;
  alertState: Record<'active' | 'cancelled', string>;
  decision: Record<'delivered' | 'withheld', string>;
  reason: Record<
    | 'ADDRESSED'
    | 'REGIONAL'
    | 'GROUP_MEMBER'
    | 'ROOM_MEMBER'
    | 'ROOM_CLOSED'
    | 'PARTNER_NOT_REGIONAL'
    | 'PREVIOUS_RECIPIENT'
    | 'RECALLED_BY_UPDATE'
    | 'RECALLED_INACTIVE'
    | 'SENDER'
    | 'NOT_ADDRESSED'
    | 'INACTIVE'
    | 'GROUP_EXPIRED'
    | 'TLP_REQUIRES_EXPLICIT_RECIPIENT'
    | 'RED_GROUP_NOT_ALLOWED'
    | 'NOT_PREVIOUS_RECIPIENT'
    | 'UNKNOWN_AGENCY'
    | 'ERASED',
    string
  >;
}

export type VocabularyGroup = keyof Vocabulary;

/** The display name of a wire value; an unknown value (a newer hub) is shown as it is. */
export function displayName(
  vocabulary: Vocabulary,
  group: VocabularyGroup,
  value: string | number | null | undefined,
): string {
  if (value === undefined || value === null || value === '') return '';
  const names = vocabulary[group] as Record<string, string>;
  return names[String(value)] ?? String(value);
}
