import { HubApi } from '@hub/web';
import { TEXT } from './text';

/** The analyst's key (null when signed out), and how the dashboard signs out (set by main.ts). */
export const session = {
  key: null as string | null,
  signOut: (_message: string): void => undefined,
};

/** The message for a key the node refused: 401 (unknown or revoked) or 403 (not an analyst's). */
export const rejectedKeyMessage = (status: number) =>
  status === 401 ? TEXT.signIn.keyRejected : TEXT.signIn.notAnalystKey;

/** The analyst API with the analyst's key; a 401 or 403 signs out. */
export const api = new HubApi({
  key: () => session.key,
  signOutStatuses: [401, 403],
  onSignOut: (status) => session.signOut(rejectedKeyMessage(status)),
});
