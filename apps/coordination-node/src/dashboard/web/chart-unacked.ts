/** The unacknowledged chart: deliveries not yet acknowledged, by recipient state, stacked by age. */
import type { Chart } from 'chart.js';
import { byId, formatNumber } from '@hub/web';
import { bucketTable, describe, partyName, stackedBar, sum } from './chart-setup';
import { TEXT } from './text';
import type { AgeBucket, ChartsData } from './types';

const AGE_COLOURS = ['#fdd49e', '#fc8d59', '#e34a33', '#b30000', '#67000d'];

export function createUnackedChart(): Chart<'bar'> {
  return stackedBar(byId<HTMLCanvasElement>('chart-unacked-canvas'), '', TEXT.charts.axisDeliveries);
}

export function renderUnacked(unacked: Chart<'bar'>, data: ChartsData): void {
  const t = TEXT.charts;
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
}
