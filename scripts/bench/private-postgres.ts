// A throwaway PostgreSQL cluster for a bench: initdb in a temporary folder, started on a free loopback port with
// the given max_connections, removed by stop(). The tree bench needs one because its 42 nodes and 40 syncs open more
// connections than a shared server's default 100, and would also starve whatever else uses that server.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../test/support/node-process';

/** A running private cluster: the admin URL tests connect to, and how to stop and remove it. */
export interface PrivatePostgres {
  url: string;
  /** The cluster's postmaster, whose CPU time and reaped children's count what the cluster used. */
  postmasterPid: number;
  stop(): void;
}

/** startPrivatePostgres runs initdb and pg_ctl (as the postgres user when this process is root, which initdb refuses). */
export async function startPrivatePostgres(maxConnections: number): Promise<PrivatePostgres> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casc-pg-'));
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) =>
    execFileSync(asRoot ? 'runuser' : cmd, asRoot ? ['-u', 'postgres', '--', cmd, ...args] : args, { stdio: 'pipe' });
  if (asRoot) {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
    fs.chownSync(dir, id('-u'), id('-g'));
  }
  const data = path.join(dir, 'data');
  const port = await freePort();
  try {
    run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
    const settings = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=${maxConnections}`;
    run('pg_ctl', ['-D', data, '-o', settings, '-l', path.join(dir, 'server.log'), '-w', 'start']);
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    const e = err as Error & { stderr?: Buffer };
    throw new Error(`could not start a private PostgreSQL: ${e.stderr?.toString().trim() || e.message}`, { cause: err });
  }
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    postmasterPid: Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]),
    stop: () => {
      if (stopped) return;
      stopped = true;
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
