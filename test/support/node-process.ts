import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

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

/** tempDir makes an empty folder under the OS temp dir (short, so Unix socket paths fit). */
export function tempDir(prefix = 'casc-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
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

/**
 * startNodeProcess runs `node dist/src/main.js` with the given environment on a free port and waits
 * until GET /healthz answers. env should carry DATABASE_URL or CASCADE_DATA_DIR.
 */
export async function startNodeProcess(env: Record<string, string>, timeoutMs = 30000): Promise<NodeProcess> {
  const port = env.CASCADE_PORT ? Number(env.CASCADE_PORT) : await freePort();
  const url = `http://127.0.0.1:${port}`;
  const fullEnv: Record<string, string> = {
    CASCADE_DATA_DIR: env.CASCADE_DATA_DIR ?? tempDir(), CASCADE_LOG_LEVEL: 'warn', ...env, CASCADE_PORT: String(port), CASCADE_HOST: '127.0.0.1',
    CASCADE_PUBLIC_URL: env.CASCADE_PUBLIC_URL ?? url,
  };
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...fullEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`node exited with ${child.exitCode}:\n${out}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`node did not become healthy in ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  return { url, port, env: fullEnv, child, output: () => out, stop: () => signal('SIGTERM'), kill: () => signal('SIGKILL') };
}

/** Result of one `cascade` command run. */
export interface CliResult { code: number; stdout: string; stderr: string }

/** runCli runs `bin/cascade.js args…` with env, optionally feeding stdin, and collects its output. */
export function runCli(args: string[], env: Record<string, string>, input?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', CASCADE_LOG_LEVEL: 'warn', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}
