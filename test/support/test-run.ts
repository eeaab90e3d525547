import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A short tag of this machine, so a sweep never touches what another machine's run made on a shared PostgreSQL. */
const HOST_TAG = createHash('sha1').update(os.hostname()).digest('hex').slice(0, 4);

// The mocha main process names the run; its parallel workers inherit the name through the environment.
process.env.CASCADE_TEST_RUN ??= `${HOST_TAG}_${process.pid}`;

/** RUN_ID names this test run: the machine and the pid of mocha's main process. */
export const RUN_ID = process.env.CASCADE_TEST_RUN;

/** Every database a run makes is named cascade_t_<host>_<pid>_<random>. */
export const RUN_DATABASE_PREFIX = `cascade_t_${RUN_ID}_`;
const RUN_DATABASE = /^cascade_t_([0-9a-f]{4})_(\d+)_[0-9a-f]+$/;

/** RUN_DIR holds this run's temporary folders and the pid files of the processes it started. */
export const RUN_DIR = path.join(os.tmpdir(), `casc-${RUN_ID}`);
const RUN_DIR_NAME = /^casc-([0-9a-f]{4})_(\d+)$/;
const PID_DIR = path.join(RUN_DIR, 'pids');

/** isAlive says whether a process with this pid exists on this machine. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** staleRun says whether a database or folder name belongs to a run of this machine whose main process is gone. */
export function staleRun(name: string): boolean {
  const m = RUN_DATABASE.exec(name) ?? RUN_DIR_NAME.exec(name);
  return m !== null && m[1] === HOST_TAG && Number(m[2]) !== process.pid && !isAlive(Number(m[2]));
}

/** recordPid notes a started process, so the run's teardown can kill it if a test left it running. */
export function recordPid(pid: number | undefined): void {
  if (pid === undefined) return;
  fs.mkdirSync(PID_DIR, { recursive: true });
  fs.writeFileSync(path.join(PID_DIR, String(pid)), '');
}

/** forgetPid drops the note of a process that has exited. */
export function forgetPid(pid: number | undefined): void {
  if (pid !== undefined) fs.rmSync(path.join(PID_DIR, String(pid)), { force: true });
}

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const OUR_SCRIPTS = [path.join(REPO_ROOT, 'dist', 'src', 'main.js'), path.join(REPO_ROOT, 'bin', 'cascade.js')];

/** killRecordedProcesses kills (SIGKILL) every process of a run folder still running a Cascade script. */
export function killRecordedProcesses(runDir = RUN_DIR): number {
  const pidDir = path.join(runDir, 'pids');
  if (!fs.existsSync(pidDir)) return 0;
  let killed = 0;
  for (const name of fs.readdirSync(pidDir)) {
    const pid = Number(name);
    // A pid may have been reused since: only a process running this checkout's node or CLI is ours.
    if (!OUR_SCRIPTS.some((script) => commandLine(pid).includes(script))) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed++;
    } catch {
      /* it exited meanwhile */
    }
  }
  return killed;
}

function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}
