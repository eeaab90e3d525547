import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/lib/logger';
import { startNode } from '../../src/main';
import { REPO_ROOT, freePort, runCli, startNodeProcess, tempDir, type NodeProcess } from '../support/node-process';
import { TEST_PG_URL, createMigratedDatabase, createTestDatabase, type TestDatabase } from '../support/test-database';

/** runToExit runs a script of the repository and resolves when it exits, or with code null once timeoutMs pass (it is then killed). */
function runToExit(script: string, args: string[], env: Record<string, string>, timeoutMs = 30000) {
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(REPO_ROOT, script), ...args], {
    env: { PATH: process.env.PATH ?? '', CASCADE_DATA_DIR: tempDir(), CASCADE_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  return new Promise<{ code: number | null; output: string; ms: number }>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output, ms: Date.now() - started });
    });
  });
}

/** A TCP server that accepts connections and never answers: a database that hangs. */
async function silentServer(): Promise<{ port: number; close(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      sockets.forEach((s) => s.destroy());
      server.close();
    },
  };
}

/** A TCP relay to Postgres that can be frozen: it keeps connections open but passes nothing on. */
async function freezableRelay(target: string) {
  const { hostname, port } = new URL(target);
  let frozen = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port || 5432), hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
    }
    client.on('data', (d) => {
      if (!frozen) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!frozen) client.write(d);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    freeze: () => {
      frozen = true;
    },
    close: () => {
      sockets.forEach((s) => s.destroy());
      server.close();
    },
  };
}

describe('a node that cannot start', () => {
  for (const [name, value, message] of [
    ['DATABASE_URL', 'localhost:5432/cascade', 'must be a postgres:// URL'],
    ['CASCADE_PUBLIC_URL', 'not a url', 'must be a URL'],
    ['CASCADE_SYNC_SCHEDULE', '61 * * * *', 'must be a cron expression'],
  ]) {
    it(`exits non-zero before listening when ${name} is "${value}"`, async () => {
      const { code, output } = await runToExit('dist/src/main.js', [], { CASCADE_PORT: String(await freePort()), [name]: value });
      expect(code, output).to.equal(1);
      expect(output).to.contain('invalid configuration').and.to.contain(`${name}: ${message}`);
      expect(output).to.not.contain('Invalid URL').and.to.not.contain('listening');
    });
  }

  it('exits non-zero naming the port when the port is already in use', async () => {
    const db = await createTestDatabase();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const { code, output } = await runToExit('dist/src/main.js', [], {
        DATABASE_URL: db.url,
        CASCADE_PORT: String(port),
        CASCADE_LOG_LEVEL: 'info',
      });
      expect(code, output).to.equal(1);
      expect(output).to.contain(`port ${port} on 127.0.0.1 is already in use`);
      expect(output).to.not.contain('cascade node listening');
    } finally {
      blocker.close();
      await db.drop();
    }
  });
});

describe('a database that does not answer', () => {
  it('/healthz answers 503 with the reason within 2 s', async () => {
    const db = await createTestDatabase();
    const relay = await freezableRelay(TEST_PG_URL);
    const url = new URL(db.url);
    url.host = `127.0.0.1:${relay.port}`;
    const config = loadConfig({
      DATABASE_URL: url.toString(),
      CASCADE_PORT: String(await freePort()),
      CASCADE_HOST: '127.0.0.1',
      CASCADE_DATA_DIR: tempDir(),
    });
    const node = await startNode(config, createLogger('silent'));
    try {
      const healthz = `http://127.0.0.1:${config.port}/healthz`;
      expect((await fetch(healthz)).status).to.equal(200);
      relay.freeze();
      const started = Date.now();
      const res = await fetch(healthz, { signal: AbortSignal.timeout(10000) });
      expect(Date.now() - started).to.be.below(2000);
      expect(res.status).to.equal(503);
      const body = (await res.json()) as { status: string; reason: string };
      expect(body.status).to.equal('unavailable');
      expect(body.reason).to.contain(`127.0.0.1:${relay.port}/${db.name}`).and.to.contain('no answer within');
    } finally {
      relay.close();
      node.server.closeAllConnections();
      await node.stop().catch(() => undefined);
      await db.drop();
    }
  });

  it('a command fails with exit code 4 naming the database that accepts and never answers, or refuses', async () => {
    const silent = await silentServer();
    const closedPort = await freePort();
    try {
      for (const port of [silent.port, closedPort]) {
        const { code, output, ms } = await runToExit(
          'bin/cascade.js',
          ['providers', 'list'],
          { DATABASE_URL: `postgres://postgres:hush@127.0.0.1:${port}/cascade` },
          20000,
        );
        expect(code, output).to.equal(4);
        expect(output).to.contain(`database 127.0.0.1:${port}/cascade does not answer`).and.to.not.contain('hush');
        expect(ms).to.be.below(15000);
      }
    } finally {
      silent.close();
    }
  });
});

describe('the cascade command against a running node', () => {
  let db: TestDatabase;
  let node: NodeProcess;
  let env: Record<string, string>;
  let provider: string[];

  before(async () => {
    ({ db } = await createMigratedDatabase().then(async (m) => {
      await m.ds.destroy();
      return m;
    }));
    node = await startNodeProcess({ DATABASE_URL: db.url, CASCADE_PUBLIC_URL: 'http://cascade-root.example:8531' });
    // The shell running the commands knows only the database: neither the node's port nor its public URL.
    env = { DATABASE_URL: db.url, CASCADE_DATA_DIR: tempDir() };
    const add = await runCli(['providers', 'add', 'contoso'], env);
    expect(add.code, add.stderr).to.equal(0);
    provider = ['--url', node.url, '--user', 'contoso', '--password', /password: (\S+)/.exec(add.stdout)![1]];
  });
  after(async () => {
    await node?.stop();
    await db?.drop();
  });

  it('downstream add prints the public URL the node was started with', async () => {
    const add = await runCli(['downstream', 'add', '--name', 'branch-1'], env);
    expect(add.code, add.stderr).to.equal(0);
    expect(add.stdout).to.contain('CASCADE_UPSTREAM_URL=http://cascade-root.example:8531\n');
  });

  it('exits 2 on a usage error, 3 on a refusal, 4 when the node does not answer, 0 on success', async () => {
    const file = path.join(tempDir(), 'tool.msu');
    fs.writeFileSync(file, 'payload');
    const publish = ['publish', '--title', 'T', '--product', 'Contoso Tool', '--classification', 'Security Updates'];
    const cases: Array<[string[], number]> = [
      [['providers', 'list', '--bogus'], 2],
      [['publish', '--url', node.url, '--title', 'T', '--product', 'P', '--classification', 'Updates', file], 2],
      [['downstream', 'allow', '--products', 'all', '--classifications', 'all'], 2],
      [['downstream', 'disable', 'no-such-child'], 3],
      [['providers', 'add', 'contoso'], 3],
      [['expire', ...provider, '00000000-0000-4000-8000-000000000000'], 3],
      [['expire', '--url', node.url, '--user', 'contoso', '--password', 'wrong', '00000000-0000-4000-8000-000000000000'], 3],
      [[...publish, '--url', `http://127.0.0.1:${await freePort()}`, ...provider.slice(2), file], 4],
      [['providers', 'list'], 0],
      [[...publish, ...provider, file], 0],
    ];
    for (const [args, expected] of cases) {
      const r = await runCli(args, env);
      expect(r.code, `cascade ${args.join(' ')}: ${r.stderr}`).to.equal(expected);
      if (expected !== 0) expect(r.stderr).to.match(/\S/);
    }
  });

  it('publish refuses a bad classification, severity or UpdateID before uploading a byte of a large file', async () => {
    const file = path.join(tempDir(), 'big.msu');
    fs.writeFileSync(file, '');
    fs.truncateSync(file, 1024 ** 3);
    const contentDir = path.join(node.env.CASCADE_DATA_DIR, 'content');
    const before = listFiles(contentDir);
    const base = ['publish', ...provider, '--title', 'Big', '--product', 'Contoso Tool'];
    for (const [bad, message] of [
      [['--classification', 'Security Updatez'], 'unknown classification "Security Updatez"'],
      [['--classification', 'Updates', '--severity', 'Urgent'], 'MsrcSeverity must be one of'],
      [['--classification', 'Updates', '--update-id', 'not-a-guid'], 'UpdateID "not-a-guid" is not a GUID'],
    ]) {
      const started = Date.now();
      const r = await runCli([...base, ...bad, file], env);
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr).to.contain(message);
      expect(Date.now() - started).to.be.below(5000);
    }
    expect(listFiles(contentDir)).to.deep.equal(before);
  });
});

function listFiles(dir: string): string[] {
  return fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]).sort() : [];
}
