// CPU and memory readings from /proc for the tree bench: one process, the bench's own exited children (the
// `cascade sync` runs), a PostgreSQL cluster (its postmaster, live backends and the backends it has reaped) and the
// whole machine, so a wave's CPU can be split between the syncing CLIs, the parents and PostgreSQL.
import fs from 'node:fs';

/** Linux reports CPU times in USER_HZ ticks, 100 per second on every architecture it runs on. */
const USER_HZ = 100;

/** statFields reads /proc/<pid>/stat after the parenthesised command name (which may hold spaces): state is [0], ppid [1], utime [11]. */
function statFields(pid: number | 'self'): string[] | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

const seconds = (f: string[] | undefined, from: number, to: number) =>
  f ? f.slice(from, to + 1).reduce((sum, ticks) => sum + Number(ticks), 0) / USER_HZ : 0;

/** The CPU time (user + system) a process has used, and its resident and peak resident set, from /proc. */
export function procReading(pid: number): { cpuSeconds: number; rssMb: number; hwmMb: number } {
  let status = '';
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    /* it has exited */
  }
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { cpuSeconds: seconds(statFields(pid), 11, 12), rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

/** exitedChildrenCpu is the CPU time of this process's children that have exited and been waited for (cutime + cstime). */
export function exitedChildrenCpu(): number {
  return seconds(statFields('self'), 13, 14);
}

/** clusterCpu is the CPU time of a PostgreSQL cluster: its postmaster with the children it reaped, plus its live children. */
export function clusterCpu(postmasterPid: number): number {
  let total = seconds(statFields(postmasterPid), 11, 14);
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (f && Number(f[1]) === postmasterPid) total += seconds(f, 11, 12);
  }
  return total;
}

/** machineCpu is the CPU time every core of the machine has spent busy (neither idle nor waiting on I/O), from /proc/stat. */
export function machineCpu(): number {
  const [, ...ticks] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = ticks;
  return (user + nice + system + irq + softirq + steal) / USER_HZ;
}
