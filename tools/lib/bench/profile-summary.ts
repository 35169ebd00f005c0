/**
 * Reads a V8 .cpuprofile and says where the time went: per area (app bundle, each npm package, node internals,
 * GC, idle) and per function, self and inclusive. Open the file itself in Chrome DevTools for the full picture.
 *   npx tsx tools/lib/bench/profile-summary.ts <file.cpuprofile>…
 */
import fs from 'node:fs';

/** The parts of a V8 CPU profile (Profiler.stop's `profile`) the summary reads. */
export interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

export interface TimeShare {
  name: string;
  percentOfBusy: number;
  ms: number;
}

export interface ProfileSummary {
  file: string;
  wallSeconds: number;
  busySeconds: number;
  idleSeconds: number;
  areas: TimeShare[];
  selfTop: TimeShare[];
  inclusiveTop: TimeShare[];
}

/** The area a frame's time is charged to: an npm package, a node: module, the hub's bundle, the profiler itself. */
export function areaOf(callFrame: CallFrame): string {
  const { url, functionName } = callFrame;
  if (!url) return functionName && functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + 14).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.includes('/dist/apps/')) return 'hub code (apps + libs bundle)';
  if (url.includes('profile-preload')) return '(profiler)';
  return url;
}

function frameKey(callFrame: CallFrame): string {
  const file = callFrame.url ? callFrame.url.replace(/^.*\/(node_modules|dist)\//, '$1/') : '';
  return `${callFrame.functionName || '(anonymous)'} ${file}${file ? `:${callFrame.lineNumber + 1}` : ''}`;
}

const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) || 0) + us);

/** Where the time of a profile went, in % of its busy (non-idle) time. */
export function summarizeCpuProfile(profile: CpuProfile, file: string, { top = 15 } = {}): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) || 0) + (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0));
  }
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const idleUs = profile.nodes
    .filter((node) => node.callFrame.functionName === '(idle)')
    .reduce((acc, node) => acc + (selfUs.get(node.id) || 0), 0);
  const busyUs = totalUs - idleUs;

  const areas = new Map<string, number>();
  const selfByKey = new Map<string, number>();
  const inclusiveByKey = new Map<string, number>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children || []) parent.set(child, node.id);
  for (const node of profile.nodes) {
    const self = selfUs.get(node.id) || 0;
    if (self === 0) continue;
    add(areas, areaOf(node.callFrame), self);
    add(selfByKey, frameKey(node.callFrame), self);
    // Inclusive: credit every distinct function on the stack once.
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const k = frameKey((byId.get(id) as CpuProfile['nodes'][number]).callFrame);
      if (seen.has(k)) continue;
      seen.add(k);
      add(inclusiveByKey, k, self);
    }
  }
  const pct = (us: number) => Math.round((us / busyUs) * 1000) / 10;
  const sorted = (map: Map<string, number>, count: number): TimeShare[] =>
    [...map.entries()]
      .filter(([k]) => k !== '(idle)' && !k.startsWith('(idle)') && !k.startsWith('(root)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, us]) => ({ name, percentOfBusy: pct(us), ms: Math.round(us / 1000) }));
  return {
    file,
    wallSeconds: Math.round((profile.endTime - profile.startTime) / 1e4) / 100,
    busySeconds: Math.round(busyUs / 1e4) / 100,
    idleSeconds: Math.round(idleUs / 1e4) / 100,
    areas: sorted(areas, 20),
    selfTop: sorted(selfByKey, top),
    inclusiveTop: sorted(inclusiveByKey, top + 10),
  };
}

/** summarizeCpuProfile of a .cpuprofile file. */
export function summarizeProfile(file: string, options: { top?: number } = {}): ProfileSummary {
  return summarizeCpuProfile(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile, file, options);
}

if (require.main === module) {
  for (const file of process.argv.slice(2))
    process.stdout.write(`${JSON.stringify(summarizeProfile(file, { top: 30 }), null, 2)}\n`);
}
