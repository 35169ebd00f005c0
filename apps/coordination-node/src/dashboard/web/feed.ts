import { all, byId, displayName, el, formatNumber, LiveStream, setStatus, shortId, tlpBadge } from '@hub/web';
import { agencyList, clock, routingSummary, sameIdentifier, td, withheldNote } from './cells';
import { scheduleCorrelations } from './correlations';
import { api, rejectedKeyMessage, session } from './session';
import { scheduleStats } from './stats';
import { TEXT, VOCAB } from './text';
import type { FeedEntry } from './types';

/** How far back the first connection starts, how many entries are kept, how many rows are drawn. */
const INITIAL_WINDOW = 1000;
const MAX_ENTRIES = 3000;
const MAX_ROWS = 400;

const feed = {
  initialAfter: '0',
  entries: [] as FeedEntry[],
  seen: new Set<string>(),
  fresh: new Set<string>(),
  dirty: false,
};

/** The live feed: /v1/feed/stream from INITIAL_WINDOW events back, then resumed with Last-Event-ID after a drop. */
const feedStream = new LiveStream({
  path: (lastEventId) =>
    lastEventId ? '/v1/feed/stream' : '/v1/feed/stream?after=' + encodeURIComponent(feed.initialAfter),
  headers: () => ({ Authorization: 'Bearer ' + session.key }),
  event: 'feed',
  onData: (data) => addEntry(JSON.parse(data) as FeedEntry),
  onOtherEvent: (frame) => {
    if (frame.event === 'error') setStatus('reconnecting', TEXT.status.interrupted);
  },
  onStatus: (status) => setStatus(status === 'live' ? 'live' : 'reconnecting', TEXT.status[status]),
  onRejected: (status) => session.signOut(rejectedKeyMessage(status)),
  onDropped: (error) => console.warn('feed disconnected:', error instanceof Error ? error.message : error),
});

export function startFeed(): void {
  setStatus('reconnecting', TEXT.status.connecting);
  api
    .getJson<{ headCursor: string }>('/v1/feed?limit=1')
    .then((page) => {
      feed.initialAfter = String(Math.max(0, Number(page.headCursor) - INITIAL_WINDOW));
      feedStream.start();
    })
    .catch((error: unknown) => {
      if (session.key) feedStream.startLater(error);
    });
}

export function stopFeed(): void {
  feedStream.stop();
  feed.entries = [];
  feed.seen.clear();
  byId('feed-body').textContent = '';
}

/** Which filter checkbox shows an entry. */
function filterGroup(entry: FeedEntry): string {
  if (entry.type === 'routing.decided') return entry.decision === 'withheld' ? 'withheld' : 'routed';
  if (entry.type === 'alert.delivered') return 'delivered';
  if (entry.type === 'alert.acked') return 'acked';
  if (entry.type === 'correlation.found') return 'correlations';
  return 'submissions';
}

function addEntry(entry: FeedEntry): void {
  if (feed.seen.has(entry.cursor)) return;
  feed.seen.add(entry.cursor);
  feed.entries.push(entry);
  feed.fresh.add(entry.cursor);
  if (feed.entries.length > MAX_ENTRIES) {
    const dropped = feed.entries.splice(0, feed.entries.length - MAX_ENTRIES);
    for (const old of dropped) feed.seen.delete(old.cursor);
  }
  scheduleRender();
  if (entry.type !== 'routing.decided') scheduleStats();
  if (entry.type === 'correlation.found') scheduleCorrelations();
}

/** Draws the table once per frame however many events arrived. */
export function scheduleRender(): void {
  if (feed.dirty) return;
  feed.dirty = true;
  requestAnimationFrame(renderFeed);
}

function renderFeed(): void {
  feed.dirty = false;
  const groups = new Set(
    all<HTMLInputElement>('#filters input')
      .filter((box) => box.checked)
      .map((box) => box.value),
  );
  const rows = document.createDocumentFragment();
  let shown = 0;
  for (let i = feed.entries.length - 1; i >= 0 && shown < MAX_ROWS; i--) {
    const entry = feed.entries[i];
    if (!groups.has(filterGroup(entry))) continue;
    rows.appendChild(feedRow(entry));
    shown++;
  }
  const body = byId('feed-body');
  body.textContent = '';
  body.appendChild(rows);
  feed.fresh.clear();
  byId('feed-count').textContent = TEXT.feed.count(formatNumber(shown), formatNumber(feed.entries.length));
  byId('feed-empty').hidden = shown > 0;
}

function parties(entry: FeedEntry): HTMLSpanElement {
  const from = entry.sender || (entry.actor && entry.actor.agencyId) || '';
  if (entry.type === 'alert.acked') return agencyList([entry.recipient || '', entry.sender || ''], ' \u2192 ');
  if (entry.type === 'correlation.found')
    return agencyList(entry.correlation ? entry.correlation.agencies : [], ' \u2194 ');
  if (entry.recipient) return agencyList([from, entry.recipient], ' \u2192 ');
  if (entry.recipients) {
    const to = agencyList(entry.recipients.length ? entry.recipients : [TEXT.feed.allAgencies], ', ');
    const both = agencyList([from], '');
    both.appendChild(document.createTextNode(' \u2192 '));
    both.appendChild(to);
    return both;
  }
  return agencyList([from], '');
}

function details(entry: FeedEntry): HTMLSpanElement {
  const box = el('span');
  const ack = entry.ack;
  switch (entry.type) {
    case 'alert.submitted':
    case 'alert.updated':
      if (entry.redacted || !entry.alert) box.appendChild(withheldNote(entry.tlp));
      else box.textContent = entry.alert.headline || '';
      break;
    case 'alert.cancelled':
      if (entry.redacted) box.appendChild(withheldNote(entry.tlp));
      else box.textContent = entry.cancelReason ? TEXT.feed.reason(entry.cancelReason) : TEXT.feed.cancelled;
      break;
    case 'routing.decided':
      box.textContent =
        displayName(VOCAB, 'decision', entry.decision) +
        ' \u00b7 ' +
        routingSummary(entry.reason ?? '') +
        (entry.kind ? ' \u00b7 ' + displayName(VOCAB, 'kind', entry.kind) : '');
      box.className = 'muted';
      break;
    case 'alert.delivered':
      box.textContent = TEXT.feed.inInbox + (entry.kind ? ' \u00b7 ' + displayName(VOCAB, 'kind', entry.kind) : '');
      box.className = 'muted';
      break;
    case 'alert.acked':
      box.textContent =
        (ack && ack.status ? displayName(VOCAB, 'ackStatus', ack.status) : TEXT.feed.acknowledged) +
        (ack && ack.note ? ' \u2014 ' + ack.note : '');
      // Notes are free text kept by the gateway; the audit fact (hence the feed) has only a commitment to them.
      if (ack && ack.noteCommitment)
        box.appendChild(el('span', 'withheld-note', TEXT.feed.noteWithheld(ack.noteCommitment.slice(0, 12))));
      break;
    case 'correlation.found': {
      const c = entry.correlation;
      if (!c) break;
      box.textContent = c.identifier ? sameIdentifier(c.identifier) : '';
      if (!c.identifier) box.appendChild(withheldNote(TEXT.feed.restrictedAlert));
      break;
    }
    default:
      break;
  }
  return box;
}

function feedRow(entry: FeedEntry): HTMLTableRowElement {
  const row = el('tr');
  row.setAttribute('data-cursor', entry.cursor);
  row.setAttribute('data-type', entry.type);
  if (entry.alertId) row.setAttribute('data-alert-id', entry.alertId);
  row.setAttribute('data-redacted', entry.redacted ? 'true' : 'false');
  if (feed.fresh.has(entry.cursor)) row.className = 'fresh';
  const label = el(
    'span',
    'event' + (entry.decision === 'withheld' ? ' withheld' : ''),
    (TEXT.events as Record<string, string>)[entry.type] || entry.type,
  );
  const alertCell = td('id', entry.alertId ? shortId(entry.alertId) + (entry.version ? ' v' + entry.version : '') : '');
  if (entry.alertId) alertCell.title = entry.alertId;
  row.appendChild(td('time', clock(entry.at)));
  row.appendChild(td('', label));
  row.appendChild(alertCell);
  row.appendChild(td('agencies', parties(entry)));
  row.appendChild(td('', displayName(VOCAB, 'category', entry.category)));
  row.appendChild(td('', entry.tlp ? tlpBadge(entry.tlp) : ''));
  row.appendChild(td('', details(entry)));
  return row;
}
