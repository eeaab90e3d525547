import { randomBytes } from 'node:crypto';
import os from 'node:os';

/** TempOwner names the process writing a temp file: its host, its pid and a token of its own (pids are reused). */
export interface TempOwner {
  host: string;
  pid: number;
  token: string;
}

/** THIS_PROCESS is the owner of the temp files this process writes. */
export const THIS_PROCESS: TempOwner = {
  host: os.hostname().replace(/[^A-Za-z0-9-]/g, '_'),
  pid: process.pid,
  token: randomBytes(6).toString('hex'),
};

/** tempFileName is a fresh temp file name carrying its owner: host~pid~token~random.part. */
export function tempFileName(owner: TempOwner): string {
  return `${owner.host}~${owner.pid}~${owner.token}~${randomBytes(8).toString('hex')}.part`;
}

/**
 * isAbandoned indicates a temp file written by a process of the owner's host that no longer runs: its pid is
 * gone, or it is the owner's own pid with another token (an earlier process). Other hosts' files are never judged.
 */
export function isAbandoned(name: string, owner: TempOwner): boolean {
  const m = /^([^~]+)~(\d+)~([0-9a-f]+)~/.exec(name);
  if (!m || m[1] !== owner.host) return false;
  const pid = Number(m[2]);
  if (pid === owner.pid) return m[3] !== owner.token;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    // EPERM: the process runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
