import { formatDateTime, HubApi } from '@hub/web';
import { TEXT } from './text';
import type { Directory, InboxItem, Selection, SentItem } from './types';

/** What the console holds between renders; reset on sign-out. */
export const state = {
  key: null as string | null,
  directory: null as Directory | null,
  inbox: [] as InboxItem[],
  seenDeliveries: new Set<string>(),
  /** Deliveries not rendered yet: shown highlighted once. */
  freshDeliveries: new Set<string>(),
  /** "alertId/version" → the status this officer acknowledged it with. */
  acked: new Map<string, string>(),
  sent: [] as SentItem[],
  selected: null as Selection | null,
  senderTimer: undefined as ReturnType<typeof setInterval> | undefined,
};

/** Set by main.ts: how the console signs out (kept here so that the API client needs no view). */
export const session = { signOut: (_message: string): void => undefined };

/** The agency API with the officer's key; a 401 signs out. */
export const api = new HubApi({
  key: () => state.key,
  signOutStatuses: [401],
  onSignOut: () => session.signOut(TEXT.signIn.keyRejected),
});

/** The directory loaded at sign-in (the console shows nothing before it). */
export function directory(): Directory {
  if (!state.directory) throw new Error('the agency directory is not loaded');
  return state.directory;
}

/** A date and time for lists and details, in the page's language and the browser's zone. */
export function when(iso: string | undefined): string {
  return formatDateTime(iso, {
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });
}

export function newIdempotencyKey(): string {
  return window.crypto && crypto.randomUUID
    ? crypto.randomUUID()
    : String(Date.now()) + '-' + String(Math.random()).slice(2);
}

export const alertPath = (alertId: string, action = '') => '/v1/alerts/' + encodeURIComponent(alertId) + action;
