'use strict';
/** Latency percentiles and per-process resource sampling from /proc (Linux). */
const fs = require('node:fs');
const os = require('node:os');

/** Nearest-rank percentiles of a list of numbers (ms); the list is sorted in place. */
function summarize(values) {
  if (values.length === 0) return { count: 0, p50: null, p95: null, p99: null, max: null, mean: null };
  values.sort((a, b) => a - b);
  const at = (p) => values[Math.min(values.length - 1, Math.max(0, Math.ceil((p / 100) * values.length) - 1))];
  const round = (v) => Math.round(v * 10) / 10;
  const sum = values.reduce((acc, v) => acc + v, 0);
  return {
    count: values.length,
    p50: round(at(50)),
    p95: round(at(95)),
    p99: round(at(99)),
    max: round(values[values.length - 1]),
    mean: round(sum / values.length),
  };
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

function readStatus(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => {
      const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
      return match ? Number(match[1]) : null;
    };
    return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** Whole-machine CPU jiffies: { busy, total }. */
function machineCpu() {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = values[3] + (values[4] || 0);
  const total = values.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/**
 * Samples VmRSS of named processes every intervalMs and keeps the peak per phase; measures CPU seconds per
 * process and for the whole machine between mark() calls. `groups` may return extra pids at each sample
 * (e.g. the PostgreSQL backends serving the bench database), whose CPU is summed under one name.
 */
class ResourceSampler {
  constructor(processes, { intervalMs = 500, groups = {} } = {}) {
    this.processes = processes; // { name: pid }
    this.groups = groups; // { name: async () => [pid] }
    this.groupPids = {};
    this.intervalMs = intervalMs;
    this.phase = null;
    this.phases = {};
    this.timer = null;
    this.groupCpu = {}; // name -> Map(pid -> last cpu seconds)
  }

  start() {
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async sample() {
    for (const [name, pid] of Object.entries(this.processes)) {
      const status = readStatus(pid);
      if (!status || !this.phase) continue;
      const peaks = this.phases[this.phase].peakRssKb;
      peaks[name] = Math.max(peaks[name] || 0, status.rssKb || 0);
    }
    for (const [name, list] of Object.entries(this.groups)) {
      try {
        const pids = await list();
        const seen = this.groupCpu[name] || (this.groupCpu[name] = new Map());
        for (const pid of pids) if (!seen.has(pid)) seen.set(pid, cpuSeconds(pid) || 0);
        this.groupPids[name] = pids;
      } catch {
        /* the database may be busy; the next sample catches up */
      }
    }
  }

  /** CPU seconds of every process ever seen in the group (a process that has exited keeps its last reading). */
  groupCpuSeconds(name) {
    const seen = this.groupCpu[name];
    if (!seen) return 0;
    this.lastCpu = this.lastCpu || new Map();
    let total = 0;
    for (const pid of seen.keys()) {
      const now = cpuSeconds(pid);
      if (now !== null) this.lastCpu.set(pid, now);
      total += this.lastCpu.get(pid) || 0;
    }
    return total;
  }

  /** Starts a named phase: resets peaks and remembers CPU counters. */
  mark(phase) {
    this.phase = phase;
    const cpu = {};
    for (const [name, pid] of Object.entries(this.processes)) cpu[name] = cpuSeconds(pid);
    for (const name of Object.keys(this.groups)) cpu[name] = this.groupCpuSeconds(name);
    this.phases[phase] = {
      startedAt: Date.now(),
      cpuAtStart: cpu,
      machineAtStart: machineCpu(),
      peakRssKb: {},
      selfCpuAtStart: process.cpuUsage(),
    };
  }

  /** Ends the current phase; returns { seconds, cpuPercent: {name: % of one core}, machineBusyPercent, peakRssMb }. */
  end() {
    const phase = this.phases[this.phase];
    if (!phase) return null;
    const seconds = (Date.now() - phase.startedAt) / 1000;
    const cpuPercent = {};
    for (const [name, pid] of Object.entries(this.processes)) {
      const now = cpuSeconds(pid);
      if (now !== null && phase.cpuAtStart[name] !== null)
        cpuPercent[name] = round1(((now - phase.cpuAtStart[name]) / seconds) * 100);
    }
    for (const name of Object.keys(this.groups))
      cpuPercent[name] = round1(((this.groupCpuSeconds(name) - phase.cpuAtStart[name]) / seconds) * 100);
    const self = process.cpuUsage(phase.selfCpuAtStart);
    cpuPercent['bench client (this process)'] = round1(((self.user + self.system) / 1e6 / seconds) * 100);
    const machine = machineCpu();
    const machineBusyPercent = round1(
      ((machine.busy - phase.machineAtStart.busy) / (machine.total - phase.machineAtStart.total)) * 100,
    );
    const peakRssMb = {};
    for (const [name, kb] of Object.entries(phase.peakRssKb)) peakRssMb[name] = Math.round(kb / 1024);
    this.phase = null;
    return { seconds: round1(seconds), cpuPercentOfOneCore: cpuPercent, machineBusyPercent, peakRssMb };
  }

  /** Before a process is stopped: keeps its VmHWM for the final report and stops sampling it. */
  retire(name) {
    const pid = this.processes[name];
    const status = pid ? readStatus(pid) : null;
    this.retired = this.retired || {};
    if (status && status.hwmKb) this.retired[name] = Math.round(status.hwmKb / 1024);
    delete this.processes[name];
  }

  /** Starts sampling another process (e.g. a service restarted on another database). */
  add(name, pid) {
    this.processes[name] = pid;
  }

  /** VmHWM (peak resident set since the process started) of every named process, in MB. */
  highWaterMarksMb() {
    const result = { ...(this.retired || {}) };
    for (const [name, pid] of Object.entries(this.processes)) {
      const status = readStatus(pid);
      if (status && status.hwmKb) result[name] = Math.round(status.hwmKb / 1024);
    }
    return result;
  }
}

/** Starts measuring how busy the whole machine is (all cores, /proc/stat); stop() → percent busy since start. */
function busyMeter() {
  const start = machineCpu();
  return {
    stop() {
      const now = machineCpu();
      return round1(((now.busy - start.busy) / Math.max(1, now.total - start.total)) * 100);
    },
  };
}

function round1(v) {
  return Math.round(v * 10) / 10;
}

function loadAverage() {
  return os.loadavg().map((v) => Math.round(v * 100) / 100);
}

module.exports = { summarize, ResourceSampler, cpuSeconds, readStatus, loadAverage, round1, busyMeter, machineCpu };
