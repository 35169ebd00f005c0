/** Latency percentiles and per-process resource sampling from /proc (Linux). */
import fs from 'node:fs';
import os from 'node:os';

/** Nearest-rank percentiles (ms); every figure is null for an empty list. */
export interface LatencySummary {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

/** One decimal place: how every figure of the report is rounded. */
export function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

/** Nearest-rank percentiles of a list of numbers (ms); the list is sorted in place. */
export function summarize(values: number[]): LatencySummary {
  if (values.length === 0) return { count: 0, p50: null, p95: null, p99: null, max: null, mean: null };
  values.sort((a, b) => a - b);
  const at = (p: number) => values[Math.min(values.length - 1, Math.max(0, Math.ceil((p / 100) * values.length) - 1))];
  const sum = values.reduce((acc, v) => acc + v, 0);
  return {
    count: values.length,
    p50: round1(at(50)),
    p95: round1(at(95)),
    p99: round1(at(99)),
    max: round1(values[values.length - 1]),
    mean: round1(sum / values.length),
  };
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** VmRSS and VmHWM of a process in kB (null when it is gone). */
export function readStatus(pid: number): { rssKb: number | null; hwmKb: number | null } | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => {
      const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
      return match ? Number(match[1]) : null;
    };
    return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

export interface MachineCpu {
  busy: number;
  total: number;
}

/** The busy and total jiffies of the first line of /proc/stat (`cpu  user nice system idle iowait …`). */
export function parseProcStat(firstLine: string): MachineCpu {
  const values = firstLine.trim().split(/\s+/).slice(1).map(Number);
  const idle = values[3] + (values[4] || 0);
  const total = values.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Whole-machine CPU jiffies: { busy, total }. */
export function machineCpu(): MachineCpu {
  return parseProcStat(fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]);
}

/** What a phase used: its length, CPU per process (% of one core), how busy the machine was, peak RSS per process. */
export interface PhaseResources {
  seconds: number;
  cpuPercentOfOneCore: Record<string, number>;
  machineBusyPercent: number;
  peakRssMb: Record<string, number>;
  /** Added by the exchange: CPU of everything on the machine the bench did not start. */
  otherProcessesPercentOfOneCore?: number;
}

interface SampledPhase {
  startedAt: number;
  cpuAtStart: Record<string, number | null>;
  machineAtStart: MachineCpu;
  peakRssKb: Record<string, number>;
  selfCpuAtStart: NodeJS.CpuUsage;
}

/** Lists the pids of a group (e.g. the PostgreSQL backends serving the bench database) at each sample. */
export type PidGroup = () => Promise<number[]>;

/**
 * Samples VmRSS of named processes every intervalMs and keeps the peak per phase; measures CPU seconds per
 * process and for the whole machine between mark() calls. `groups` may return extra pids at each sample
 * (e.g. the PostgreSQL backends serving the bench database), whose CPU is summed under one name.
 */
export class ResourceSampler {
  private readonly intervalMs: number;
  private readonly groups: Record<string, PidGroup>;
  private phase: string | null = null;
  private readonly phases: Record<string, SampledPhase> = {};
  private timer: NodeJS.Timeout | null = null;
  /** name → (pid → CPU seconds when first seen) */
  private readonly groupCpu: Record<string, Map<number, number>> = {};
  private readonly lastCpu = new Map<number, number>();
  private readonly retired: Record<string, number> = {};

  constructor(
    private readonly processes: Record<string, number>,
    { intervalMs = 500, groups = {} }: { intervalMs?: number; groups?: Record<string, PidGroup> } = {},
  ) {
    this.intervalMs = intervalMs;
    this.groups = groups;
  }

  start(): void {
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async sample(): Promise<void> {
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
      } catch {
        /* the database may be busy; the next sample catches up */
      }
    }
  }

  /** CPU seconds of every process ever seen in the group (a process that has exited keeps its last reading). */
  private groupCpuSeconds(name: string): number {
    const seen = this.groupCpu[name];
    if (!seen) return 0;
    let total = 0;
    for (const pid of seen.keys()) {
      const now = cpuSeconds(pid);
      if (now !== null) this.lastCpu.set(pid, now);
      total += this.lastCpu.get(pid) || 0;
    }
    return total;
  }

  /** Starts a named phase: resets peaks and remembers CPU counters. */
  mark(phase: string): void {
    this.phase = phase;
    const cpu: Record<string, number | null> = {};
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

  /** Ends the current phase; null when none was marked. */
  end(): PhaseResources | null {
    const phase = this.phase === null ? undefined : this.phases[this.phase];
    if (!phase) return null;
    const seconds = (Date.now() - phase.startedAt) / 1000;
    const cpuPercent: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.processes)) {
      const now = cpuSeconds(pid);
      const before = phase.cpuAtStart[name];
      if (now !== null && before !== null) cpuPercent[name] = round1(((now - before) / seconds) * 100);
    }
    for (const name of Object.keys(this.groups))
      cpuPercent[name] = round1(((this.groupCpuSeconds(name) - (phase.cpuAtStart[name] as number)) / seconds) * 100);
    const self = process.cpuUsage(phase.selfCpuAtStart);
    cpuPercent['bench client (this process)'] = round1(((self.user + self.system) / 1e6 / seconds) * 100);
    const machine = machineCpu();
    const machineBusyPercent = round1(
      ((machine.busy - phase.machineAtStart.busy) / (machine.total - phase.machineAtStart.total)) * 100,
    );
    const peakRssMb: Record<string, number> = {};
    for (const [name, kb] of Object.entries(phase.peakRssKb)) peakRssMb[name] = Math.round(kb / 1024);
    this.phase = null;
    return { seconds: round1(seconds), cpuPercentOfOneCore: cpuPercent, machineBusyPercent, peakRssMb };
  }

  /** Before a process is stopped: keeps its VmHWM for the final report and stops sampling it. */
  retire(name: string): void {
    const pid = this.processes[name];
    const status = pid ? readStatus(pid) : null;
    if (status && status.hwmKb) this.retired[name] = Math.round(status.hwmKb / 1024);
    delete this.processes[name];
  }

  /** Starts sampling another process (e.g. a service restarted on another database). */
  add(name: string, pid: number): void {
    this.processes[name] = pid;
  }

  /** VmHWM (peak resident set since the process started) of every named process, in MB. */
  highWaterMarksMb(): Record<string, number> {
    const result: Record<string, number> = { ...this.retired };
    for (const [name, pid] of Object.entries(this.processes)) {
      const status = readStatus(pid);
      if (status && status.hwmKb) result[name] = Math.round(status.hwmKb / 1024);
    }
    return result;
  }
}

/** Starts measuring how busy the whole machine is (all cores, /proc/stat); stop() → percent busy since start. */
export interface BusyMeter {
  stop(): number;
}

export function busyMeter(): BusyMeter {
  const start = machineCpu();
  return {
    stop() {
      const now = machineCpu();
      return round1(((now.busy - start.busy) / Math.max(1, now.total - start.total)) * 100);
    },
  };
}

export function loadAverage(): number[] {
  return os.loadavg().map((v) => Math.round(v * 100) / 100);
}
