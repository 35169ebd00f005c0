/** The flows chart: deliveries between states, a matrix of sender by recipient with the numbers in its cells. */
import { Chart, type Plugin } from 'chart.js';
import type { MatrixDataPoint } from 'chartjs-chart-matrix';
import { byId, formatNumber } from '@hub/web';
import { BASE_OPTIONS, bucketTable, describe, partyName, sum } from './chart-setup';
import { TEXT } from './text';
import type { ChartsData } from './types';

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

export function createFlowsChart(): Chart<'matrix'> {
  return new Chart(byId<HTMLCanvasElement>('chart-flows-canvas'), {
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

export function renderFlows(flows: Chart<'matrix'>, data: ChartsData): void {
  const t = TEXT.charts;
  const period = data.period;
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
