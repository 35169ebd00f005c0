/** The correlations chart: correlations found per day or hour. */
import { Chart } from 'chart.js';
import { byId, formatNumber } from '@hub/web';
import { BASE_OPTIONS, bucketLong, bucketTable, describe, sum } from './chart-setup';
import { TEXT } from './text';
import type { ChartsData } from './types';

const CORRELATION_COLOUR = '#6a51a3';

export function createCorrelationsChart(): Chart<'bar'> {
  return new Chart(byId<HTMLCanvasElement>('chart-correlations-canvas'), {
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
}

export function renderCorrelations(correlations: Chart<'bar'>, data: ChartsData, labels: string[]): void {
  const t = TEXT.charts;
  const period = data.period;
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
