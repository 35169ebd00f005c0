/** The alerts chart: alerts per day or hour, stacked by sending state. */
import type { Chart } from 'chart.js';
import { byId, formatNumber } from '@hub/web';
import { bucketLong, bucketTable, describe, partyDatasets, partyName, stackedBar, sum } from './chart-setup';
import { TEXT } from './text';
import type { ChartsData } from './types';

export function createAlertsChart(): Chart<'bar'> {
  return stackedBar(byId<HTMLCanvasElement>('chart-alerts-canvas'), '', TEXT.charts.axisAlerts);
}

export function renderAlerts(alerts: Chart<'bar'>, data: ChartsData, labels: string[]): void {
  const t = TEXT.charts;
  const period = data.period;
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
}
