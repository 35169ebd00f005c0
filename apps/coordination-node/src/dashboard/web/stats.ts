import { byId, displayName, el, formatNumber, shortId } from '@hub/web';
import { agencyList, clock, td, withheldNote } from './cells';
import { scheduleCharts } from './charts';
import { api, session } from './session';
import { TEXT, VOCAB } from './text';
import type { Stats, VolumeRow } from './types';

let statsTimer: ReturnType<typeof setTimeout> | null = null;

/** Refreshes the counters soon after an event (several events in a burst cause one request). */
export function scheduleStats(): void {
  if (statsTimer) return;
  statsTimer = setTimeout(() => {
    statsTimer = null;
    refreshStats();
  }, 800);
}

export function refreshStats(): void {
  if (!session.key) return;
  api
    .getJson<Stats>('/v1/stats')
    .then(renderStats)
    .catch(() => undefined /* the next event or tick retries */);
  // The charts follow the same events and ticks, at their own (slower) pace.
  scheduleCharts();
}

function volumeRows(bodyId: string, rows: VolumeRow[], labelField: string, name: (key: string) => string): void {
  const body = byId(bodyId);
  body.textContent = '';
  for (const row of rows) {
    const tr = el('tr');
    tr.setAttribute('data-key', String(row[labelField]));
    tr.appendChild(td('', name(String(row[labelField]))));
    tr.appendChild(td('num', formatNumber(row.lastHour)));
    tr.appendChild(td('num', formatNumber(row.last24h)));
    tr.appendChild(td('num', formatNumber(row.total)));
    body.appendChild(tr);
  }
  if (rows.length === 0) {
    const empty = el('tr');
    const cell = td('muted', TEXT.stats.noneYet);
    cell.colSpan = 4;
    empty.appendChild(cell);
    body.appendChild(empty);
  }
}

/** The 24-hour tiles, the volumes by country and category, and the chase list of unacknowledged deliveries. */
export function renderStats(stats: Stats): void {
  const day = stats.windows.last24h;
  byId('tile-alerts').textContent = formatNumber(day.alertsSubmitted);
  byId('tile-deliveries').textContent = formatNumber(day.deliveries);
  byId('tile-acks').textContent = formatNumber(day.acks);
  byId('tile-correlations').textContent = formatNumber(day.correlations);
  byId('tile-unacked').textContent = formatNumber(stats.unacknowledged.total);
  byId('tile-dead').textContent = formatNumber(day.deadLettered);
  volumeRows('by-country-body', stats.byCountry, 'country', (country) => country);
  volumeRows('by-category-body', stats.byCategory, 'category', (category) => displayName(VOCAB, 'category', category));
  const body = byId('chase-body');
  body.textContent = '';
  for (const item of stats.unacknowledged.oldest) {
    const tr = el('tr');
    tr.setAttribute('data-alert-id', item.alertId);
    tr.setAttribute('data-recipient', item.recipient);
    const idCell = td('id', shortId(item.alertId) + ' v' + item.version);
    idCell.title = item.alertId;
    tr.appendChild(td('time', TEXT.age(item.ageSeconds)));
    tr.appendChild(idCell);
    tr.appendChild(td('agencies', agencyList([item.sender, item.recipient], ' \u2192 ')));
    tr.appendChild(
      td('', item.redacted ? withheldNote(item.tlp) : item.headline || displayName(VOCAB, 'category', item.category)),
    );
    body.appendChild(tr);
  }
  byId('chase-count').textContent = TEXT.stats.waiting(formatNumber(stats.unacknowledged.total));
  byId('chase-empty').hidden = stats.unacknowledged.oldest.length > 0;
  byId('updated-at').textContent = TEXT.stats.updated(clock(stats.generatedAt));
}
