import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { forgetPid, recordPid, RUN_DIR } from './test-run';
import { waitFor } from './wait-for';

/** Repository root (tests run from dist/test/...). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const MAIN = path.join(REPO_ROOT, 'dist', 'src', 'main.js');
const CLI = path.join(REPO_ROOT, 'bin', 'cascade.js');

/** freePort asks the kernel for an unused loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.once('error', reject);
  });
}

/** tempDir makes an empty folder in this run's folder under the OS temp dir (short, so Unix socket paths fit). */
export function tempDir(prefix = 'casc-'): string {
  fs.mkdirSync(RUN_DIR, { recursive: true });
  return fs.mkdtempSync(path.join(RUN_DIR, prefix));
}

/** The node and CLI processes this process started that have not exited yet. */
const running = new Set<ChildProcess>();

/** track notes a started process until it exits, in memory and in the run's pid folder. */
function track(child: ChildProcess): ChildProcess {
  running.add(child);
  recordPid(child.pid);
  child.once('exit', () => {
    running.delete(child);
    forgetPid(child.pid);
  });
  return child;
}

/** killLeftoverProcesses kills (SIGKILL) what a test started and left running, and waits until they are gone; it returns how many. */
export async function killLeftoverProcesses(): Promise<number> {
  const left = [...running];
  await Promise.all(
    left.map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
  return left.length;
}

/** A node started as its own OS process for a test. */
export interface NodeProcess {
  url: string;
  port: number;
  env: Record<string, string>;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/** How long a node may take to exit after SIGTERM before the test kills it and fails. */
const STOP_TIMEOUT_MS = 30_000;

/**
 * startNodeProcess runs `node dist/src/main.js` (or another build's `main`, for benchmarks comparing two) with the
 * given environment on a free port and waits until GET /healthz answers. env should carry DATABASE_URL or CASCADE_DATA_DIR.
 */
export async function startNodeProcess(env: Record<string, string>, timeoutMs = 120000, main = MAIN): Promise<NodeProcess> {
  const port = env.CASCADE_PORT ? Number(env.CASCADE_PORT) : await freePort();
  const url = `http://127.0.0.1:${port}`;
  const fullEnv: Record<string, string> = {
    CASCADE_DATA_DIR: env.CASCADE_DATA_DIR ?? tempDir(),
    CASCADE_LOG_LEVEL: 'warn',
    ...env,
    CASCADE_PORT: String(port),
    CASCADE_HOST: '127.0.0.1',
    CASCADE_PUBLIC_URL: env.CASCADE_PUBLIC_URL ?? url,
  };
  const child = track(
    spawn(process.execPath, [main], { env: { PATH: process.env.PATH ?? '', ...fullEnv }, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const healthy = () =>
    fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
  try {
    await waitFor(`the node on ${url} to answer /healthz`, () => child.exitCode !== null || healthy(), { timeoutMs, intervalMs: 50 });
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}:\n${out}`, { cause: err });
  }
  if (child.exitCode !== null) throw new Error(`node exited with ${child.exitCode}:\n${out}`);
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    let killedLate = false;
    const late = setTimeout(() => {
      killedLate = child.kill('SIGKILL');
    }, STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(late);
    if (killedLate) throw new Error(`node on ${url} did not stop within ${STOP_TIMEOUT_MS} ms of SIGTERM:\n${out}`);
  };
  return { url, port, env: fullEnv, child, output: () => out, stop: () => signal('SIGTERM'), kill: () => signal('SIGKILL') };
}

/** Result of one `cascade` command run; timedOut when it was killed for running past its time limit. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  timedOut?: boolean;
}

/**
 * runCli runs `bin/cascade.js args…` with env, optionally feeding stdin, and collects its output. A command
 * still running after timeoutMs is killed and reported with timedOut and a line on stderr, so a hang fails the test.
 */
export function runCli(args: string[], env: Record<string, string>, input?: string, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = track(
      spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', CASCADE_LOG_LEVEL: 'warn', ...env } }),
    );
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout!.on('data', (d) => {
      stdout += d;
    });
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) stderr += `\n[test] cascade ${args[0] ?? ''} killed: still running after ${timeoutMs} ms\n`;
      resolve({ code: code ?? -1, stdout, stderr, ...(timedOut ? { timedOut } : {}) });
    });
    child.stdin!.end(input ?? '');
  });
}
