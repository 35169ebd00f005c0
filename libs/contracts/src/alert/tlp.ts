import { TlpLevel } from './enums';

/** TLP levels whose content may only reach agencies the sender named one by one (never "everyone", never via a group). */
export const TLP_EXPLICIT_RECIPIENTS_ONLY: readonly TlpLevel[] = ['AMBER+STRICT', 'RED'];

export function requiresExplicitRecipients(tlp: TlpLevel): boolean {
  return TLP_EXPLICIT_RECIPIENTS_ONLY.includes(tlp);
}
