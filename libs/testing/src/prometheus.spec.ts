import { parsePrometheusText, sumOf } from './prometheus';

describe('parsePrometheusText', () => {
  it('reads samples with labels (escapes included), histograms by their suffixes, and special values', () => {
    const exposition = parsePrometheusText(
      [
        '# HELP hub_x_total Things.',
        '# TYPE hub_x_total counter',
        'hub_x_total{topic="a",service="n"} 3',
        'hub_x_total{topic="b \\"quoted\\"",service="n"} 4',
        '# TYPE hub_d_seconds histogram',
        'hub_d_seconds_bucket{le="0.1"} 1',
        'hub_d_seconds_bucket{le="+Inf"} 2',
        'hub_d_seconds_sum 0.3',
        'hub_d_seconds_count 2',
        '# TYPE hub_g gauge',
        'hub_g NaN',
        '# TYPE hub_lag gauge',
        'hub_lag Nan',
        '',
      ].join('\n'),
    );
    expect(sumOf(exposition, 'hub_x_total')).toBe(7);
    expect(exposition.samples[1].labels.topic).toBe('b "quoted"');
    expect(sumOf(exposition, 'hub_d_seconds_count')).toBe(2);
    expect(exposition.types.get('hub_d_seconds')).toBe('histogram');
    expect(exposition.samples.find((s) => s.name === 'hub_g')!.value).toBeNaN();
    expect(exposition.samples.find((s) => s.name === 'hub_lag')!.value).toBeNaN();
    expect(sumOf(exposition, 'hub_d_seconds_bucket', { le: '+Inf' })).toBe(2);
  });

  it.each([
    ['a sample with no TYPE line', 'hub_y 1'],
    ['a value that is no number', '# TYPE hub_y gauge\nhub_y one'],
    ['unterminated labels', '# TYPE hub_y gauge\nhub_y{a="1} 1'],
    ['a second TYPE line', '# TYPE hub_y gauge\n# TYPE hub_y gauge'],
    ['garbage', '# TYPE hub_y gauge\n{} 1'],
  ])('refuses %s, naming the line', (_what, text) => {
    expect(() => parsePrometheusText(text)).toThrow(/line \d+/);
  });
});
