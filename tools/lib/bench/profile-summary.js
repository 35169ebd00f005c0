'use strict';
/**
 * Reads a V8 .cpuprofile and says where the time went: per area (app bundle, each npm package, node internals,
 * GC, idle) and per function, self and inclusive. Open the file itself in Chrome DevTools for the full picture.
 */
const fs = require('node:fs');

function areaOf(callFrame) {
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

function frameKey(callFrame) {
  const file = callFrame.url ? callFrame.url.replace(/^.*\/(node_modules|dist)\//, '$1/') : '';
  return `${callFrame.functionName || '(anonymous)'} ${file}${file ? `:${callFrame.lineNumber + 1}` : ''}`;
}

function summarizeProfile(file, { top = 15 } = {}) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) || 0) + (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0));
  }
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const idleUs = profile.nodes
    .filter((n) => n.callFrame.functionName === '(idle)')
    .reduce((acc, n) => acc + (selfUs.get(n.id) || 0), 0);
  const busyUs = totalUs - idleUs;

  const areas = new Map();
  const selfByKey = new Map();
  const inclusiveByKey = new Map();
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children || []) parent.set(child, node.id);
  for (const node of profile.nodes) {
    const self = selfUs.get(node.id) || 0;
    if (self === 0) continue;
    const area = areaOf(node.callFrame);
    areas.set(area, (areas.get(area) || 0) + self);
    const key = frameKey(node.callFrame);
    selfByKey.set(key, (selfByKey.get(key) || 0) + self);
    // Inclusive: credit every distinct function on the stack once.
    const seen = new Set();
    for (let id = node.id; id !== undefined; id = parent.get(id)) {
      const k = frameKey(byId.get(id).callFrame);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusiveByKey.set(k, (inclusiveByKey.get(k) || 0) + self);
    }
  }
  const pct = (us) => Math.round((us / busyUs) * 1000) / 10;
  const sorted = (map, n) =>
    [...map.entries()]
      .filter(([k]) => k !== '(idle)' && !k.startsWith('(idle)') && !k.startsWith('(root)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
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

module.exports = { summarizeProfile };

if (require.main === module) {
  for (const file of process.argv.slice(2))
    process.stdout.write(`${JSON.stringify(summarizeProfile(file, { top: 30 }), null, 2)}\n`);
}
