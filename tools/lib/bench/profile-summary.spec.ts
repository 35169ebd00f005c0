import { areaOf, summarizeCpuProfile, type CpuProfile } from './profile-summary';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

describe('areaOf', () => {
  it.each([
    [frame('(garbage collector)'), '(garbage collector)'],
    [frame('fn'), '(native)'],
    [frame('read', 'node:internal/fs/utils'), 'node:internal'],
    [frame('query', 'file:///w/node_modules/pg/lib/client.js'), 'pg'],
    [frame('send', 'file:///w/node_modules/@nestjs/core/x.js'), '@nestjs/core'],
    [frame('handle', 'file:///w/dist/apps/agency-gateway/main.js'), 'hub code (apps + libs bundle)'],
    [frame('observedQuery', 'file:///w/.hub/bench/preload/profile-preload.js'), '(profiler)'],
  ])('%p → %p', (callFrame, area) => expect(areaOf(callFrame)).toBe(area));
});

describe('summarizeCpuProfile', () => {
  // root → handler (app) → query (pg); idle beside. Samples: handler 2 × 1 ms, query 1 × 2 ms, idle 1 × 5 ms.
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 4] },
      { id: 2, callFrame: frame('handler', 'file:///w/dist/apps/a/main.js', 9), children: [3] },
      { id: 3, callFrame: frame('query', 'file:///w/node_modules/pg/lib/client.js', 0) },
      { id: 4, callFrame: frame('(idle)') },
    ],
    samples: [2, 2, 3, 4],
    timeDeltas: [0, 1000, 1000, 2000, 5000],
    startTime: 0,
    endTime: 9000,
  };
  const summary = summarizeCpuProfile(profile, 'x.cpuprofile');

  it('splits wall time into busy and idle', () => {
    expect(summary).toMatchObject({ file: 'x.cpuprofile', wallSeconds: 0.01, busySeconds: 0, idleSeconds: 0.01 });
  });

  it('charges self time to areas in % of busy time, idle left out', () => {
    expect(summary.areas).toEqual([
      { name: 'hub code (apps + libs bundle)', percentOfBusy: 50, ms: 2 },
      { name: 'pg', percentOfBusy: 50, ms: 2 },
    ]);
  });

  it('credits a callee’s time to every caller on its stack, once', () => {
    expect(summary.inclusiveTop[0]).toEqual({ name: 'handler dist/apps/a/main.js:10', percentOfBusy: 100, ms: 4 });
    expect(summary.selfTop.map((s) => s.name)).toEqual([
      'handler dist/apps/a/main.js:10',
      'query node_modules/pg/lib/client.js:1',
    ]);
  });
});
