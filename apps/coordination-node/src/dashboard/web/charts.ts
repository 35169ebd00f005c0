/**
 * The dashboard's four charts, drawn with Chart.js (bundled into dashboard.js by esbuild, no CDN), from
 * GET /v1/stats/charts: alerts per day or hour by sending state, deliveries between states (a matrix), unacknowledged
 * deliveries by recipient state and age, and correlations per day or hour. Each canvas is an image with a one-line
 * summary as its accessible name, and the same numbers are a real table behind the chart's "Table" disclosure.
 *
 * This module fetches and redraws them; each chart is built and filled by its own module (chart-alerts.ts,
 * chart-flows.ts, chart-unacked.ts, chart-correlations.ts), on the shared set-up in chart-setup.ts.
 */
import type { Chart } from 'chart.js';
import { all } from '@hub/web';
import { createAlertsChart, renderAlerts } from './chart-alerts';
import { createCorrelationsChart, renderCorrelations } from './chart-correlations';
import { createFlowsChart, renderFlows } from './chart-flows';
import { bucketLabel } from './chart-setup';
import { createUnackedChart, renderUnacked } from './chart-unacked';
import { api, session } from './session';
import type { ChartPeriod, ChartsData } from './types';

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

function createCharts(): void {
  if (charts.alerts) return;
  charts.alerts = createAlertsChart();
  charts.unacked = createUnackedChart();
  charts.correlations = createCorrelationsChart();
  charts.flows = createFlowsChart();
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

export function renderCharts(data: ChartsData): void {
  createCharts();
  const labels = data.buckets.map((bucket) => bucketLabel(bucket, data.period));
  renderAlerts(charts.alerts!, data, labels);
  renderFlows(charts.flows!, data);
  renderUnacked(charts.unacked!, data);
  renderCorrelations(charts.correlations!, data, labels);
}
