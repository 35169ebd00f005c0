/**
 * Every text the dashboard's script writes on the page (the static ones are in index.html): one place to read them,
 * and to translate them later.
 */
export const TEXT = {
  status: {
    signedOut: 'signed out',
    connecting: 'connecting\u2026',
    live: 'live',
    reconnecting: 'reconnecting\u2026',
    interrupted: 'feed interrupted',
  },
  signIn: {
    enterKey: 'Enter an analyst key.',
    keyNotAccepted: 'The key was not accepted.',
    notAnalystKey: 'This key is not an analyst key.',
    keyRejected: 'Your key is no longer accepted. Sign in again.',
    nodeAnswered: (status: number) => `The coordination node answered HTTP ${status}.`,
  },
  /** Feed event types as the table names them. */
  events: {
    'alert.submitted': 'Submitted',
    'alert.updated': 'Updated',
    'alert.cancelled': 'Cancelled',
    'routing.decided': 'Routed',
    'alert.delivered': 'Delivered',
    'alert.acked': 'Acknowledged',
    'correlation.found': 'Correlation',
  } as Record<string, string>,
  /** Kinds of identifier a correlation is about. */
  identifiers: {
    container: 'container',
    'vehicle-plate': 'vehicle plate',
    'vehicle-vin': 'VIN',
    'person-document': 'travel document',
    phone: 'phone',
    'vessel-imo': 'vessel',
  } as Record<string, string>,
  feed: {
    withheld: (tlp: string | undefined) => (tlp || 'Restricted') + ' \u2014 content withheld',
    restrictedAlert: 'Restricted alert',
    reason: (reason: string) => 'Reason: ' + reason,
    cancelled: 'Cancelled',
    inInbox: 'in inbox',
    acknowledged: 'acknowledged',
    noteWithheld: (commitment: string) => ` \u2014 note withheld (commitment ${commitment}\u2026)`,
    allAgencies: 'all agencies',
    count: (shown: number, received: number) => `${shown} shown of ${received} received`,
  },
  same: (kind: string, key: string) => `Same ${kind} ${key}`,
  stats: {
    noneYet: 'none yet',
    waiting: (total: number) => `${total} waiting, oldest first`,
    updated: (time: string) => 'updated ' + time,
  },
  correlations: {
    restricted: 'Restricted: owners told only whom to contact',
    open: 'Owners may see each other\u2019s alerts',
    notices: (count: number) => ` (${count} notices)`,
  },
  /** Ages in the chase list: 42s, 3m 5s, 2h 10m, 1d 4h. */
  age(seconds: number): string {
    if (seconds < 60) return seconds + 's';
    if (seconds < 3600) return Math.floor(seconds / 60) + 'm ' + (seconds % 60) + 's';
    if (seconds < 86400) return Math.floor(seconds / 3600) + 'h ' + Math.floor((seconds % 3600) / 60) + 'm';
    return Math.floor(seconds / 86400) + 'd ' + Math.floor((seconds % 86400) / 3600) + 'h';
  },
};
