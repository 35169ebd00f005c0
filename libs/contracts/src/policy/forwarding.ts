import { AlertContent } from '../alert/alert-content';
import { requiresExplicitRecipients } from '../alert/tlp';

/**
 * Whether a recipient may pass the alert on to another agency. Refused for TLP RED and AMBER+STRICT and for
 * handling code H2 (no onward dissemination without the originator's permission).
 */
export function forwardAllowed(content: Pick<AlertContent, 'tlp' | 'handlingCode'>): boolean {
  return !requiresExplicitRecipients(content.tlp) && content.handlingCode !== 'H2';
}
