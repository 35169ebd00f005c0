import { ALERT_CATEGORIES, AlertCategory } from '@hub/contracts/alert/enums';

/** How long alert content may be kept (GatewayConfig: RETENTION_*; docs/decisions/008-retention-and-erasure.md). */
export interface RetentionPolicy {
  /** kept this long after the alert's expiresAt */
  graceSeconds: number;
  /** alerts without expiresAt: kept this long after they were received, unless their category says otherwise */
  defaultSeconds: number;
  byCategory: Partial<Record<AlertCategory, number>>;
}

/** `seizure=63072000,person-of-interest=31536000` → per-category seconds. Format checked by the config class. */
export function parseCategoryRetention(value: string): Partial<Record<AlertCategory, number>> {
  const byCategory: Partial<Record<AlertCategory, number>> = {};
  for (const pair of value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [category, seconds] = pair.split('=');
    byCategory[category as AlertCategory] = Number(seconds);
  }
  return byCategory;
}

/** The config's format for RETENTION_BY_CATEGORY: known categories only, whole seconds. */
export const CATEGORY_RETENTION_PATTERN = new RegExp(
  `^(\\s*(${ALERT_CATEGORIES.join('|')})=\\d+\\s*)(,\\s*(${ALERT_CATEGORIES.join('|')})=\\d+\\s*)*$|^$`,
);

/**
 * The end of an alert version's retention: its expiresAt plus the grace, or, without expiresAt, its receipt plus
 * its category's default. The latest version decides (an update can shorten or lengthen it).
 */
export function retentionEnd(
  content: { category: string; expiresAt?: string },
  receivedAt: Date,
  policy: RetentionPolicy,
): Date {
  if (content.expiresAt) return new Date(Date.parse(content.expiresAt) + policy.graceSeconds * 1000);
  const seconds = policy.byCategory[content.category as AlertCategory] ?? policy.defaultSeconds;
  return new Date(receivedAt.getTime() + seconds * 1000);
}
