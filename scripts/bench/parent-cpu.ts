// What serving a sync costs the parent: CPU of the node process and of its Postgres backends per revision, for a
// full GetRevisionIdList and for GetUpdateData of every revision in batches of 100 from ten concurrent children.
// With --base=<repo root of another build>, that build's node serves the same database in alternating rounds, for an
// A/B within one run. Run: npm run build && node dist/scripts/bench/parent-cpu.js [revisions] [--base=/path] [--rounds=2]
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { authorize } from '../../test/support/downstream-client';
import { startNodeProcess, type NodeProcess } from '../../test/support/node-process';
import { adminContext, testServices } from '../../test/support/services';
import { createMigratedDatabase } from '../../test/support/test-database';

const NS = 'http://www.microsoft.com/SoftwareDistribution';
const CHILDREN = 10;
const BATCH = 100;
const TICK_MS = 10; // /proc/<pid>/stat counts CPU in clock ticks of 1/100 s

/** cpuMs returns the CPU time (user + system) a process has used, in ms; 0 once it is gone. */
function cpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

const envelope = (body: string) =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`;

interface Side {
  name: string;
  main: string;
}

async function round(side: Side, dbUrl: string, child: { serverId: string; secret: string }, pg: Client) {
  const node: NodeProcess = await startNodeProcess({ DATABASE_URL: dbUrl }, 120000, side.main);
  try {
    const { cookie } = await authorize(node.url, child.serverId, child.secret);
    const cookieXml = `<cookie><Expiration>${cookie.Expiration}</Expiration><EncryptedData>${cookie.EncryptedData}</EncryptedData></cookie>`;
    const call = async (action: string, body: string) => {
      const r = await fetch(`${node.url}/ServerSyncWebService/ServerSyncWebService.asmx`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"${NS}/${action}"` },
        body: envelope(body),
      });
      const text = await r.text();
      if (r.status !== 200) throw new Error(`${action}: HTTP ${r.status}: ${text.slice(0, 500)}`);
      return text;
    };
    const listRequest = `<GetRevisionIdList xmlns="${NS}">${cookieXml}<filter><GetConfig>false</GetConfig></filter></GetRevisionIdList>`;
    const list = await call('GetRevisionIdList', listRequest);
    const ids = [...list.matchAll(/UpdateID>([^<]+)<\/(?:\w+:)?UpdateID>\s*<(?:\w+:)?RevisionNumber>(\d+)</g)].map((m) => [m[1], m[2]]);
    const batches: string[] = [];
    for (let i = 0; i < ids.length; i += BATCH) {
      const idXml = ids
        .slice(i, i + BATCH)
        .map(([u, n]) => `<UpdateIdentity><UpdateID>${u}</UpdateID><RevisionNumber>${n}</RevisionNumber></UpdateIdentity>`)
        .join('');
      batches.push(`<GetUpdateData xmlns="${NS}">${cookieXml}<updateIds>${idXml}</updateIds></GetUpdateData>`);
    }
    // Warm up: JIT, the pool's connections, the database's cache.
    await Promise.all(Array.from({ length: CHILDREN }, (_, k) => call('GetUpdateData', batches[k % batches.length])));
    const measure = async (fn: () => Promise<void>) => {
      const backends = (await pg.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`))
        .rows;
      const before = new Map<number, number>(backends.map((b: { pid: number }) => [b.pid, cpuMs(b.pid)]));
      const nodeBefore = cpuMs(node.child.pid!);
      const started = performance.now();
      await fn();
      const wallMs = performance.now() - started;
      const after = (await pg.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`))
        .rows;
      const pgMs = after.reduce((s: number, b: { pid: number }) => s + cpuMs(b.pid) - (before.get(b.pid) ?? 0), 0);
      return { nodeMs: cpuMs(node.child.pid!) - nodeBefore, pgMs, wallMs };
    };
    const listing = await measure(async () => {
      for (let i = 0; i < 5; i++) await call('GetRevisionIdList', listRequest);
    });
    let next = 0;
    let bytes = 0;
    const data = await measure(async () => {
      await Promise.all(
        Array.from({ length: CHILDREN }, async () => {
          while (next < batches.length) {
            const reply = await call('GetUpdateData', batches[next++]);
            bytes += reply.length;
          }
        }),
      );
    });
    return { ids: ids.length, listing, data, bytes };
  } finally {
    await node.stop();
  }
}

async function main() {
  const revisions = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 20000);
  const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 2);
  const base = process.argv.find((a) => a.startsWith('--base='))?.slice(7);
  const sides: Side[] = [
    ...(base ? [{ name: 'base', main: path.join(path.resolve(base), 'dist', 'src', 'main.js') }] : []),
    { name: 'this', main: path.resolve(__dirname, '..', '..', 'src', 'main.js') },
  ];
  const { db, ds } = await createMigratedDatabase();
  const pg = new Client({ connectionString: db.url });
  try {
    const services = await testServices(ds);
    await services.seed.seed(adminContext(), { revisions, products: 20 });
    const child = await services.downstreamServers.add(adminContext(), 'bench-child.example');
    await ds.destroy();
    await pg.connect();
    const totals = new Map<string, { list: number[]; node: number[]; pg: number[]; wall: number[] }>();
    for (let r = 0; r < rounds; r++) {
      for (const side of sides) {
        const m = await round(side, db.url, child, pg);
        const t = totals.get(side.name) ?? { list: [], node: [], pg: [], wall: [] };
        t.list.push(m.listing.nodeMs / 5);
        t.node.push((m.data.nodeMs * 1000) / m.ids);
        t.pg.push((m.data.pgMs * 1000) / m.ids);
        t.wall.push(m.data.wallMs);
        totals.set(side.name, t);
        console.log(
          `${side.name} round ${r + 1}: GetRevisionIdList of ${m.ids}: node ${(m.listing.nodeMs / 5).toFixed(0)} ms CPU per call; ` +
            `GetUpdateData of ${m.ids} by ${CHILDREN} children: ${m.data.wallMs.toFixed(0)} ms, node ${m.data.nodeMs} ms CPU ` +
            `(${((m.data.nodeMs * 1000) / m.ids).toFixed(0)} µs/revision), Postgres ${m.data.pgMs} ms CPU ` +
            `(${((m.data.pgMs * 1000) / m.ids).toFixed(0)} µs/revision), ${(m.bytes / m.ids).toFixed(0)} bytes/revision`,
        );
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    for (const [name, t] of totals) {
      console.log(
        `${name} mean: list ${mean(t.list).toFixed(0)} ms CPU/call; GetUpdateData node ${mean(t.node).toFixed(0)} µs CPU/revision, ` +
          `Postgres ${mean(t.pg).toFixed(0)} µs CPU/revision, wall ${mean(t.wall).toFixed(0)} ms`,
      );
    }
  } finally {
    await pg.end().catch(() => undefined);
    if (ds.isInitialized) await ds.destroy();
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
