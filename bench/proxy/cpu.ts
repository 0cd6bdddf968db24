/**
 * Readings from /proc: resident memory (VmRSS) and CPU time (utime + stime) per process tree
 * (every process under a root pid, children found through their parent pid), and busy time per
 * core from /proc/stat to tell when something outside the benchmark used the server's core.
 */

import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

let ticks: number | null = null;

/** Clock ticks per second (USER_HZ), from getconf; 100 on every Linux seen so far. */
export function clockTicks(): number {
  if (ticks === null) {
    try {
      ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  /** utime + stime, in clock ticks. */
  readonly cpu: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    return { pid, ppid: Number(fields[1]), cpu: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

/** Every pid in the tree rooted at `root`, root included. */
export function processTree(root: number): number[] {
  const all: ProcStat[] = [];
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (stat !== null) all.push(stat);
  }
  const tree = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of all) {
      if (!tree.has(s.pid) && tree.has(s.ppid)) {
        tree.add(s.pid);
        grew = true;
      }
    }
  }
  return [...tree];
}

/** CPU seconds used so far by the tree rooted at `root` (exited children are not counted). */
export function treeCpuSeconds(root: number): number {
  let total = 0;
  for (const pid of processTree(root)) total += readStat(pid)?.cpu ?? 0;
  return total / clockTicks();
}

/** VmRSS of every process under `root` (root included), KiB. */
export function treeRssKiB(root: number): number {
  let total = 0;
  for (const pid of processTree(root)) {
    try {
      const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m !== null) total += Number(m[1]);
    } catch {
      // exited between the scan and the read
    }
  }
  return total;
}

export interface CoreSample {
  /**
   * Busy ticks per core that a process can be charged for, plus steal: user + nice + system +
   * steal. irq and softirq are left out on purpose: loopback TCP is processed in softirq on the
   * core that sends, so a server's own traffic shows up there without being in its utime/stime,
   * and counting it made every busy proxy look "disturbed from outside".
   */
  readonly busy: readonly number[];
  readonly total: readonly number[];
}

export function sampleCores(): CoreSample {
  const busy: number[] = [];
  const total: number[] = [];
  for (const line of readFileSync("/proc/stat", "utf8").split("\n")) {
    const m = /^cpu(\d+) (.*)$/.exec(line);
    if (m === null) continue;
    const v = (m[2] as string).trim().split(/\s+/).map(Number);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, soft = 0, steal = 0] = v;
    busy[Number(m[1])] = user + nice + system + steal;
    total[Number(m[1])] = user + nice + system + idle + iowait + irq + soft + steal;
  }
  return { busy, total };
}

/** Busy seconds on `core` between two samples. */
export function coreBusySeconds(before: CoreSample, after: CoreSample, core: number): number {
  return ((after.busy[core] ?? 0) - (before.busy[core] ?? 0)) / clockTicks();
}
