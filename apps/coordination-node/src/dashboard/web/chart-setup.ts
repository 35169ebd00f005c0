/**
 * What the dashboard's four charts share (charts.ts draws them): Chart.js with the controllers they use, the states'
 * colours and names, bucket labels, the common options, and the summary and table that make each chart readable
 * without the canvas.
 *
 * Chart.js draws on a canvas and sets the canvas size through the CSSOM (element.style), which the page's
 * Content-Security-Policy allows: it needs no inline style attribute, no injected stylesheet and no eval.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  type ChartDataset,
  Legend,
  LinearScale,
  Tooltip,
} from 'chart.js';
import { MatrixController, MatrixElement } from 'chartjs-chart-matrix';
import { byId, el, formatDateTime, formatNumber, locale } from '@hub/web';
import { TEXT } from './text';
import type { ChartPeriod, PartySeries } from './types';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip, MatrixController, MatrixElement);

/** The states' colours, fixed so that a state keeps its colour across charts and refreshes (Okabe–Ito and Tableau). */
const PARTY_COLOURS: Record<string, string> = {
  AZ: '#0072b2',
  KZ: '#e69f00',
  KG: '#009e73',
  RU: '#cc79a7',
  TJ: '#d55e00',
  TM: '#56b4e9',
  UZ: '#8c6d31',
  CARICC: '#143049',
};
const SPARE_COLOURS = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#9c755f', '#76b7b2', '#edc948', '#bab0ac'];

function partyColour(party: string): string {
  if (PARTY_COLOURS[party]) return PARTY_COLOURS[party];
  let hash = 0;
  for (const char of party) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return SPARE_COLOURS[hash % SPARE_COLOURS.length];
}

const regionNames = (() => {
  try {
    return new Intl.DisplayNames([locale], { type: 'region' });
  } catch {
    return null;
  }
})();

/** A state by its name in the page's language ("Kazakhstan", "Казахстан"); the regional centre by its id. */
export function partyName(party: string): string {
  if (!/^[A-Z]{2}$/.test(party) || !regionNames) return party;
  return regionNames.of(party) ?? party;
}

/** A bucket as the axis writes it: "Mon 02" for a day, "14:00" for an hour (the node counted them in this zone). */
export function bucketLabel(bucket: string, period: ChartPeriod): string {
  if (period === '24h') return bucket.slice(11, 16);
  // A calendar day: read at noon UTC and written in UTC, so no zone moves it to the day before.
  return formatDateTime(bucket + 'T12:00:00Z', { weekday: 'short', day: '2-digit', timeZone: 'UTC' });
}

/** The same bucket in full, for tables and tooltips. */
export function bucketLong(bucket: string, period: ChartPeriod): string {
  if (period === '24h')
    return (
      formatDateTime(bucket.slice(0, 10) + 'T12:00:00Z', { day: '2-digit', month: 'short', timeZone: 'UTC' }) +
      ' ' +
      bucket.slice(11, 16)
    );
  return formatDateTime(bucket + 'T12:00:00Z', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    timeZone: 'UTC',
  });
}

export const sum = (values: readonly number[]) => values.reduce((total, n) => total + n, 0);

export const BASE_OPTIONS = {
  responsive: true,
  maintainAspectRatio: false,
  // Live data: no animation (calmer to watch, and cheaper when the feed is busy).
  animation: false as const,
  locale,
  font: { size: 10 },
};

const legend = {
  position: 'bottom' as const,
  labels: { boxWidth: 9, boxHeight: 9, padding: 6, font: { size: 10 } },
};

export function stackedBar(canvas: HTMLCanvasElement, xTitle: string, yTitle: string): Chart<'bar'> {
  const config: ChartConfiguration<'bar'> = {
    type: 'bar',
    data: { labels: [], datasets: [] },
    options: {
      ...BASE_OPTIONS,
      plugins: { legend },
      scales: {
        x: { stacked: true, title: { display: !!xTitle, text: xTitle }, ticks: { font: { size: 10 } } },
        y: {
          stacked: true,
          beginAtZero: true,
          title: { display: true, text: yTitle, font: { size: 10 } },
          ticks: { precision: 0, font: { size: 10 } },
        },
      },
    },
  };
  return new Chart(canvas, config);
}

export function partyDatasets(series: readonly PartySeries[]): ChartDataset<'bar'>[] {
  return series.map((s) => ({
    label: s.party,
    data: s.counts,
    backgroundColor: partyColour(s.party),
    borderWidth: 0,
  }));
}

/** The chart's accessible name and the summary under it; data-total lets tests and people see it has data. */
export function describe(name: string, total: number, summary: string): void {
  const figure = byId('chart-' + name);
  figure.setAttribute('data-total', String(total));
  byId('chart-' + name + '-summary').textContent = summary;
}

/** A table of counts: one row per item, one column per bucket (with a total column unless `withTotal` is false). */
export function bucketTable(
  name: string,
  firstColumn: string,
  columns: readonly string[],
  rows: readonly { key: string; name: string; counts: readonly number[] }[],
  withTotal = true,
): void {
  const table = byId<HTMLTableElement>('chart-' + name + '-table');
  table.textContent = '';
  const head = el('thead');
  const headRow = el('tr');
  for (const title of [firstColumn, ...columns, ...(withTotal ? [TEXT.charts.colTotal] : [])]) {
    const th = el('th', '', title);
    th.scope = 'col';
    headRow.appendChild(th);
  }
  head.appendChild(headRow);
  table.appendChild(head);
  const body = el('tbody');
  for (const row of rows) {
    const tr = el('tr');
    tr.setAttribute('data-key', row.key);
    const th = el('th', '', row.name);
    th.scope = 'row';
    tr.appendChild(th);
    for (const count of row.counts) tr.appendChild(el('td', 'num', formatNumber(count)));
    if (withTotal) tr.appendChild(el('td', 'num', formatNumber(sum(row.counts))));
    body.appendChild(tr);
  }
  if (rows.length === 0) {
    const tr = el('tr');
    const td = el('td', 'muted', TEXT.stats.noneYet);
    td.colSpan = columns.length + (withTotal ? 2 : 1);
    tr.appendChild(td);
    body.appendChild(tr);
  }
  table.appendChild(body);
}
