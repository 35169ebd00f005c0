/**
 * The dashboard in English: every text the script writes and the static texts of index.html (`html`, filled into
 * its data-i18n attributes at load). Its shape is the type of every other language's catalogue (text-ru.ts), so a
 * missing key is a type error.
 */
import type { AgeBucket, ChartPeriod } from './types';

type FeedEvent =
  | 'alert.submitted'
  | 'alert.updated'
  | 'alert.cancelled'
  | 'routing.decided'
  | 'alert.delivered'
  | 'alert.acked'
  | 'correlation.found';
const PERIOD_EN: Record<ChartPeriod, string> = { '7d': '7 days', '24h': '24 hours' };

type IdentifierKind =
  'container' | 'vehicle-plate' | 'vehicle-vin' | 'person-document' | 'phone' | 'vessel-imo' | 'person-name';

export const TEXT_EN = {
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
  } as Record<FeedEvent, string>,
  /** Kinds of identifier a correlation is about. */
  identifiers: {
    container: 'container',
    'vehicle-plate': 'vehicle plate',
    'vehicle-vin': 'VIN',
    'person-document': 'travel document',
    phone: 'phone',
    'vessel-imo': 'vessel',
    'person-name': 'person (same name and date of birth)',
  } as Record<IdentifierKind, string>,
  feed: {
    withheld: (tlp: string | undefined) => (tlp || 'Restricted') + ' \u2014 content withheld',
    restrictedAlert: 'Restricted alert',
    reason: (reason: string) => 'Reason: ' + reason,
    cancelled: 'Cancelled',
    inInbox: 'in inbox',
    acknowledged: 'acknowledged',
    noteWithheld: (commitment: string) => ` \u2014 note withheld (commitment ${commitment}\u2026)`,
    allAgencies: 'all agencies',
    count: (shown: string, received: string) => `${shown} shown of ${received} received`,
  },
  samePerson: (forms: string) => `Same person, written ${forms}`,
  same: (kind: string, key: string) => `Same ${kind} ${key}`,
  stats: {
    noneYet: 'none yet',
    waiting: (total: string) => `${total} waiting, oldest first`,
    updated: (time: string) => 'updated ' + time,
  },
  correlations: {
    restricted: 'Restricted: owners told only whom to contact',
    open: 'Owners may see each other\u2019s alerts',
    notices: (count: number) => ` (${count} ${count === 1 ? 'notice' : 'notices'})`,
  },
  rooms: {
    erased: 'name erased',
    open: 'open',
    closed: 'closed',
    centreMember: 'centre is a member: messages readable in the console',
    metadataOnly: 'metadata only',
    closes: (time: string) => 'closes ' + time,
    messages: (count: number, last: string | null) =>
      `${count} ${count === 1 ? 'message' : 'messages'}` + (last ? ', last ' + last : ''),
  },
  /** The charts (charts.ts, chart-*.ts): axis titles, table headings, and the one-line summary each chart is named by. */
  charts: {
    axisAlerts: 'alerts',
    axisDeliveries: 'deliveries',
    axisCorrelations: 'correlations',
    axisFrom: 'from',
    axisTo: 'to',
    colState: 'Sending state',
    colRecipientState: 'Recipient state',
    colFromTo: 'From \u2192 to',
    colTotal: 'Total',
    colPeriod: (period: ChartPeriod): string => (period === '24h' ? 'Hour' : 'Day'),
    ages: {
      lt1h: 'under 1 h',
      '1h-6h': '1\u20136 h',
      '6h-24h': '6\u201324 h',
      '1d-7d': '1\u20137 days',
      gt7d: 'over 7 days',
    } as Record<AgeBucket, string>,
    flowTooltip: (from: string, to: string, count: string) => `${from} \u2192 ${to}: ${count}`,
    nothing: (period: ChartPeriod) => `Nothing in the last ${PERIOD_EN[period]}.`,
    alertsSummary: (period: ChartPeriod, total: string, top: string, topCount: string) =>
      `${total} alerts in the last ${PERIOD_EN[period]}; most sent from ${top} (${topCount}).`,
    flowsSummary: (period: ChartPeriod, total: string, from: string, to: string, count: string) =>
      `${total} deliveries between states in the last ${PERIOD_EN[period]}; most from ${from} to ${to} (${count}).`,
    unackedSummary: (total: string, top: string, topCount: string) =>
      `${total} deliveries not acknowledged; most waiting in ${top} (${topCount}).`,
    allAcknowledged: 'Every delivery is acknowledged.',
    correlationsSummary: (period: ChartPeriod, total: string) =>
      `${total} correlations found in the last ${PERIOD_EN[period]}.`,
  },
  /** Ages in the chase list: 42s, 3m 5s, 2h 10m, 1d 4h. */
  age(seconds: number): string {
    if (seconds < 60) return seconds + 's';
    if (seconds < 3600) return Math.floor(seconds / 60) + 'm ' + (seconds % 60) + 's';
    if (seconds < 86400) return Math.floor(seconds / 3600) + 'h ' + Math.floor((seconds % 3600) / 60) + 'm';
    return Math.floor(seconds / 86400) + 'd ' + Math.floor((seconds % 86400) / 3600) + 'h';
  },
  /** The static texts of index.html, by their data-i18n key. */
  html: {
    title: 'Regional centre monitor \u2014 Alert Exchange Hub',
    heading: 'Regional coordination centre \u2014 live exchange monitor',
    language: 'Language',
    signOut: 'Sign out',
    signInTitle: 'Analyst sign-in',
    signInHelp:
      'Paste your analyst API key. It is kept only in this browser tab (session storage) and sent to this node only.',
    analystKey: 'Analyst key',
    signIn: 'Sign in',
    feedTitle: 'Live feed',
    filtersLabel: 'Show',
    showSubmissions: 'submissions, updates, cancels',
    showRouted: 'routed',
    showWithheld: 'withheld decisions',
    showDelivered: 'deliveries',
    showAcked: 'acks',
    showCorrelations: 'correlations',
    colTime: 'Time',
    colEvent: 'Event',
    colAlert: 'Alert',
    colFromTo: 'From \u2192 to',
    colCategory: 'Category',
    colDetails: 'Details',
    feedEmpty: 'Waiting for exchange events\u2026',
    tilesTitle: 'Last 24 hours',
    tileAlerts: 'alerts',
    tileDeliveries: 'deliveries',
    tileAcks: 'acks',
    tileCorrelations: 'correlations',
    tileUnacked: 'not acked',
    tileDeadHint: 'messages dead-lettered in the last 24 h (npm run dead-letters)',
    tileDead: 'dead-lettered',
    volumesLabel: 'Alerts by sender country and category',
    colCountry: 'Country',
    col1h: '1 h',
    col24h: '24 h',
    colAll: 'all',
    chaseTitle: 'Chase list',
    colAge: 'Age',
    colSenderRecipient: 'Sender \u2192 recipient',
    colAbout: 'About',
    chaseEmpty: 'Every delivery is acknowledged.',
    correlationsTitle: 'Cross-agency correlations',
    chartsTitle: 'Charts',
    periodLabel: 'Period of the charts',
    period7d: '7 days, by day',
    period24h: '24 hours, by hour',
    chartAlerts: 'Alerts by sending state',
    chartFlows: 'Deliveries between states',
    chartUnacked: 'Not acknowledged, by recipient state and age',
    chartCorrelations: 'Correlations found',
    showTable: 'Table',
    correlationsEmpty: 'No matches across agencies yet.',
    roomsTitle: 'Operation rooms',
    roomsEmpty: 'No operation rooms yet.',
  },
};

export type Messages = typeof TEXT_EN;
