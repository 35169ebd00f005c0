import { createHash } from 'node:crypto';

/**
 * Deterministic id of one delivery: the same (alert, version, recipient) always gives the same id, so a
 * re-routed or redelivered message is recognised downstream instead of delivered twice.
 */
export function deliveryIdFor(alertId: string, version: number, recipient: string): string {
  const hex = createHash('sha256').update(`delivery\n${alertId}\n${version}\n${recipient}`).digest('hex');
  // Shaped as an RFC 4122 version-5-style UUID (name-based, SHA hash).
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
