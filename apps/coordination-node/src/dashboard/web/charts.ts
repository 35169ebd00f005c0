/**
 * The dashboard's four charts, drawn with Chart.js (bundled into dashboard.js by esbuild, no CDN), from
 * GET /v1/stats/charts: alerts per day or hour by sending state, deliveries between states (a matrix), unacknowledged
 * deliveries by recipient state and age, and correlations per day or hour. Each canvas is an image with a one-line
 * summary as its accessible name, and the same numbers are a real table behind the chart's "Table" disclosure.
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
  type Plugin,
  Tooltip,
} from 'chart.js';
import { MatrixController, MatrixElement, type MatrixDataPoint } from 'chartjs-chart-matrix';
import { all, byId, el, formatDateTime, formatNumber, locale } from '@hub/web';
import { api, session } from './session';
import { TEXT } from './text';
import type { AgeBucket, ChartPeriod, ChartsData, PartySeries } from './types';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip, MatrixController, MatrixElement);

/** At most one request per this many ms however many events arrive (the feed can be busy). */
const MIN_INTERVAL_MS = 5000;

const charts = {
  period: '7d' as ChartPeriod,
  timer: null as ReturnType<typeof setTimeout> | null,
  lastRequest: 0,
  alerts: null as Chart<'bar'> | null,
  flows: null as Chart<'matrix'> | null,
  unacked: null as Chart<'bar'> | null,
  correlations: null as Chart<'bar'> | null,
};

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
const AGE_COLOURS = ['#fdd49e', '#fc8d59', '#e34a33', '#b30000', '#67000d'];
const CORRELATION_COLOUR = '#6a51a3';

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
function bucketLabel(bucket: string, period: ChartPeriod): string {
  if (period === '24h') return bucket.slice(11, 16);
  // A calendar day: read at noon UTC and written in UTC, so no zone moves it to the day before.
  return formatDateTime(bucket + 'T12:00:00Z', { weekday: 'short', day: '2-digit', timeZone: 'UTC' });
}

/** The same bucket in full, for tables and tooltips. */
function bucketLong(bucket: string, period: ChartPeriod): string {
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

const sum = (values: readonly number[]) => values.reduce((total, n) => total + n, 0);

/** Numbers inside the matrix cells (the flows chart is read by its numbers, the colour only guides the eye). */
const cellNumbers: Plugin<'matrix'> = {
  id: 'hubCellNumbers',
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    const meta = chart.getDatasetMeta(0);
    const data = chart.data.datasets[0]?.data as MatrixDataPoint[] | undefined;
    if (!data) return;
    ctx.save();
    ctx.font = '600 9px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    meta.data.forEach((element, i) => {
      const value = data[i]?.v ?? 0;
      if (!value) return;
      const { x, y, width, height } = element.getProps(['x', 'y', 'width', 'height'], true) as {
        x: number;
        y: number;
        width: number;
        height: number;
      };
      ctx.fillStyle = value > maxFlow(data) / 2 ? '#fff' : '#1b2733';
      ctx.fillText(formatNumber(value), x + width / 2, y + height / 2);
    });
    ctx.restore();
  },
};

function maxFlow(data: readonly MatrixDataPoint[]): number {
  return Math.max(1, ...data.map((point) => point.v ?? 0));
}

const BASE_OPTIONS = {
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

function stackedBar(canvas: HTMLCanvasElement, xTitle: string, yTitle: string): Chart<'bar'> {
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

function createCharts(): void {
  if (charts.alerts) return;
  charts.alerts = stackedBar(byId<HTMLCanvasElement>('chart-alerts-canvas'), '', TEXT.charts.axisAlerts);
  charts.unacked = stackedBar(byId<HTMLCanvasElement>('chart-unacked-canvas'), '', TEXT.charts.axisDeliveries);
  charts.correlations = new Chart(byId<HTMLCanvasElement>('chart-correlations-canvas'), {
    type: 'bar',
    data: { labels: [], datasets: [] },
    options: {
      ...BASE_OPTIONS,
      plugins: { legend: { display: false } },
      scales: {
        x: { ticks: { font: { size: 10 } } },
        y: {
          beginAtZero: true,
          title: { display: true, text: TEXT.charts.axisCorrelations, font: { size: 10 } },
          ticks: { precision: 0, font: { size: 10 } },
        },
      },
    },
  });
  charts.flows = new Chart(byId<HTMLCanvasElement>('chart-flows-canvas'), {
    type: 'matrix',
    data: { datasets: [] },
    options: {
      ...BASE_OPTIONS,
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: () => '',
            label: (item) => {
              const point = item.raw as MatrixDataPoint;
              return TEXT.charts.flowTooltip(
                partyName(String(point.y)),
                partyName(String(point.x)),
                formatNumber(point.v ?? 0),
              );
            },
          },
        },
      },
      scales: {
        x: {
          type: 'category',
          offset: true,
          position: 'top',
          title: { display: true, text: TEXT.charts.axisTo, font: { size: 10 } },
          // Every state named, however narrow the cells: a skipped label would leave a column unnamed.
          ticks: { font: { size: 9 }, autoSkip: false, maxRotation: 90 },
          grid: { display: false },
        },
        y: {
          type: 'category',
          offset: true,
          title: { display: true, text: TEXT.charts.axisFrom, font: { size: 10 } },
          ticks: { font: { size: 9 }, autoSkip: false },
          grid: { display: false },
        },
      },
    },
    plugins: [cellNumbers],
  });
}

/** Redraws soon after an event (used with the counters' refresh), at most once per MIN_INTERVAL_MS. */
export function scheduleCharts(): void {
  if (charts.timer) return;
  const wait = Math.max(0, charts.lastRequest + MIN_INTERVAL_MS - Date.now());
  charts.timer = setTimeout(() => {
    charts.timer = null;
    refreshCharts();
  }, wait);
}

export function refreshCharts(): void {
  if (!session.key) return;
  charts.lastRequest = Date.now();
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const period = charts.period;
  api
    .getJson<ChartsData>(`/v1/stats/charts?period=${period}&tz=${encodeURIComponent(zone)}`)
    .then((data) => {
      if (session.key && data.period === charts.period) renderCharts(data);
    })
    .catch(() => undefined /* the next event or tick retries */);
}

export function stopCharts(): void {
  if (charts.timer) clearTimeout(charts.timer);
  charts.timer = null;
}

/** The period switch: 7 days by day, or 24 hours by hour. */
export function wireCharts(): void {
  for (const radio of all<HTMLInputElement>('input[name="chart-period"]'))
    radio.addEventListener('change', () => {
      if (!radio.checked) return;
      charts.period = radio.value === '24h' ? '24h' : '7d';
      refreshCharts();
    });
}

function partyDatasets(series: readonly PartySeries[]): ChartDataset<'bar'>[] {
  return series.map((s) => ({
    label: s.party,
    data: s.counts,
    backgroundColor: partyColour(s.party),
    borderWidth: 0,
  }));
}

export function renderCharts(data: ChartsData): void {
  createCharts();
  const t = TEXT.charts;
  const period = data.period;
  const labels = data.buckets.map((bucket) => bucketLabel(bucket, period));

  // Alerts by sending state.
  const alerts = charts.alerts!;
  alerts.data.labels = labels;
  alerts.data.datasets = partyDatasets(data.alertsByState);
  alerts.update();
  const alertTotal = sum(data.alertsByState.map((s) => sum(s.counts)));
  const topSender = data.alertsByState[0];
  describe(
    'alerts',
    alertTotal,
    alertTotal
      ? t.alertsSummary(
          period,
          formatNumber(alertTotal),
          partyName(topSender.party),
          formatNumber(sum(topSender.counts)),
        )
      : t.nothing(period),
  );
  bucketTable(
    'alerts',
    t.colState,
    data.buckets.map((bucket) => bucketLong(bucket, period)),
    data.alertsByState.map((s) => ({ key: s.party, name: partyName(s.party), counts: s.counts })),
  );

  // Deliveries between states.
  const flows = charts.flows!;
  const senders = [...new Set(data.flows.map((f) => f.from))].sort();
  const recipients = [...new Set(data.flows.map((f) => f.to))].sort();
  const points: MatrixDataPoint[] = data.flows.map((f) => ({ x: f.to, y: f.from, v: f.deliveries }));
  const top = maxFlow(points);
  const xScale = flows.options.scales?.x as { labels?: string[] } | undefined;
  const yScale = flows.options.scales?.y as { labels?: string[] } | undefined;
  if (xScale) xScale.labels = recipients;
  if (yScale) yScale.labels = senders;
  flows.data.datasets = [
    {
      label: t.axisDeliveries,
      data: points,
      backgroundColor: (context) => {
        const value = (context.raw as MatrixDataPoint | undefined)?.v ?? 0;
        return `rgba(20, 90, 140, ${0.12 + 0.88 * (value / top)})`;
      },
      borderColor: '#fff',
      borderWidth: 1,
      width: ({ chart }) => (chart.chartArea ? chart.chartArea.width / Math.max(1, recipients.length) - 2 : 0),
      height: ({ chart }) => (chart.chartArea ? chart.chartArea.height / Math.max(1, senders.length) - 2 : 0),
    },
  ];
  flows.update();
  const flowTotal = sum(data.flows.map((f) => f.deliveries));
  const busiest = data.flows[0];
  describe(
    'flows',
    flowTotal,
    flowTotal
      ? t.flowsSummary(
          period,
          formatNumber(flowTotal),
          partyName(busiest.from),
          partyName(busiest.to),
          formatNumber(busiest.deliveries),
        )
      : t.nothing(period),
  );
  flowTable(data);

  // Unacknowledged by recipient state and age.
  const unacked = charts.unacked!;
  const states = data.unacknowledged.byRecipient;
  unacked.data.labels = states.map((s) => s.party);
  unacked.data.datasets = data.unacknowledged.ages.map((age, i) => ({
    label: t.ages[age as AgeBucket] ?? age,
    data: states.map((s) => s.counts[i] ?? 0),
    backgroundColor: AGE_COLOURS[i % AGE_COLOURS.length],
    borderWidth: 0,
  }));
  unacked.update();
  const unackedTotal = data.unacknowledged.total;
  const mostWaiting = states[0];
  describe(
    'unacked',
    unackedTotal,
    unackedTotal
      ? t.unackedSummary(
          formatNumber(unackedTotal),
          partyName(mostWaiting.party),
          formatNumber(sum(mostWaiting.counts)),
        )
      : t.allAcknowledged,
  );
  bucketTable(
    'unacked',
    t.colRecipientState,
    data.unacknowledged.ages.map((age) => t.ages[age as AgeBucket] ?? age),
    states.map((s) => ({ key: s.party, name: partyName(s.party), counts: s.counts })),
  );

  // Correlations per bucket.
  const correlations = charts.correlations!;
  correlations.data.labels = labels;
  correlations.data.datasets = [
    { label: t.axisCorrelations, data: data.correlations, backgroundColor: CORRELATION_COLOUR, borderWidth: 0 },
  ];
  correlations.update();
  const correlationTotal = sum(data.correlations);
  describe(
    'correlations',
    correlationTotal,
    correlationTotal ? t.correlationsSummary(period, formatNumber(correlationTotal)) : t.nothing(period),
  );
  bucketTable(
    'correlations',
    t.colPeriod(period),
    [t.axisCorrelations],
    data.buckets.map((bucket, i) => ({
      key: bucket,
      name: bucketLong(bucket, period),
      counts: [data.correlations[i]],
    })),
    false,
  );
}

/** The chart's accessible name and the summary under it; data-total lets tests and people see it has data. */
function describe(name: string, total: number, summary: string): void {
  const figure = byId('chart-' + name);
  figure.setAttribute('data-total', String(total));
  byId('chart-' + name + '-summary').textContent = summary;
}

/** A table of counts: one row per item, one column per bucket (with a total column unless `withTotal` is false). */
function bucketTable(
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

function flowTable(data: ChartsData): void {
  bucketTable(
    'flows',
    TEXT.charts.colFromTo,
    [TEXT.charts.axisDeliveries],
    data.flows.map((f) => ({
      key: f.from + '>' + f.to,
      name: partyName(f.from) + ' \u2192 ' + partyName(f.to),
      counts: [f.deliveries],
    })),
    false,
  );
}
