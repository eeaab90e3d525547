import { expect } from 'chai';
import http from 'node:http';
import { addDownstream } from '../support/downstream-client';
import { runCli, startNodeProcess, type NodeProcess } from '../support/node-process';
import { createTestDatabase, sql, type TestDatabase } from '../support/test-database';

interface Answer {
  status: number;
  retryAfter?: string;
  body: string;
  ms: number;
}

/** send makes one HTTP request from a chosen loopback address (127.0.0.x), so a test can play several sources. */
function send(url: string, opts: { from: string; method: string; user: string; password: string; body?: string }): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: opts.method,
        localAddress: opts.from,
        agent: false,
        headers: {
          Authorization: `Basic ${Buffer.from(`${opts.user}:${opts.password}`).toString('base64')}`,
          'Content-Type': 'text/xml; charset=utf-8',
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () =>
          resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'], body, ms: performance.now() - started }),
        );
      },
    );
    req.on('error', reject);
    req.end(opts.body ?? '');
  });
}

const GET_AUTH_COOKIE =
  '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>' +
  '<GetAuthorizationCookie xmlns="http://www.microsoft.com/SoftwareDistribution"><accountName>x</accountName></GetAuthorizationCookie>' +
  '</soap:Body></soap:Envelope>';

describe('password floods against a node process', function () {
  this.timeout(120000);
  let db: TestDatabase;
  let node: NodeProcess;
  const passwords: Record<string, string> = {};
  const upload = (from: string, user: string, password: string) =>
    send(`${node.url}/Upload/flood.cab`, { from, method: 'PUT', user, password, body: `payload from ${user}` });
  const statuses = (answers: Answer[]) =>
    answers.reduce<Record<number, number>>((n, a) => ({ ...n, [a.status]: (n[a.status] ?? 0) + 1 }), {});

  before(async () => {
    db = await createTestDatabase();
    node = await startNodeProcess({
      DATABASE_URL: db.url,
      CASCADE_AUTH_FAILURES_PER_SOURCE: '5',
      CASCADE_AUTH_FAILURES_PER_ACCOUNT: '12',
      CASCADE_AUTH_FAILURE_WINDOW_SECONDS: '600',
    });
    for (const name of ['contoso', 'fabrikam', 'northwind']) {
      const added = await runCli(['providers', 'add', name], { DATABASE_URL: db.url });
      passwords[name] = /password:\s*(\S+)/.exec(added.stdout)![1];
    }
  });
  after(async () => {
    await node?.stop();
    await db?.drop();
  });

  it('answers a source that keeps guessing with 429 and Retry-After, while a valid credential from another source works', async () => {
    expect((await upload('127.0.0.1', 'contoso', passwords.contoso)).status).to.equal(201);

    const flood = await Promise.all(Array.from({ length: 30 }, (_, i) => upload('127.0.0.2', 'contoso', `guess-${i}`)));
    expect(statuses(flood)).to.deep.equal({ 401: 5, 429: 25 });
    const refused = flood.find((a) => a.status === 429)!;
    expect(Number(refused.retryAfter)).to.be.within(1, 600);
    expect(JSON.parse(refused.body)).to.deep.include({ error: 'TooManyRequests' });
    expect(JSON.parse(refused.body).message).to.match(/too many failed sign-ins .* retry in \d+ s/);
    expect((await upload('127.0.0.2', 'fabrikam', passwords.fabrikam)).status, 'the guessing source is held back').to.equal(429);

    expect((await upload('127.0.0.1', 'fabrikam', passwords.fabrikam)).status).to.equal(201);
    expect((await upload('127.0.0.1', 'contoso', passwords.contoso)).status).to.equal(201);
  });

  it('holds an account guessed from many sources, but a credential it verified recently still works, fast, during the flood', async () => {
    expect((await upload('127.0.0.1', 'northwind', passwords.northwind)).status).to.equal(201);
    // Sixteen guessing sources, each sending wrong passwords for northwind while a valid upload runs.
    const guesses = Array.from({ length: 16 }, (_, s) =>
      Promise.all(Array.from({ length: 4 }, (_, i) => upload(`127.0.1.${s + 1}`, 'northwind', `guess-${s}-${i}`))),
    );
    const valid = await upload('127.0.0.1', 'northwind', passwords.northwind);
    const flood = (await Promise.all(guesses)).flat();
    expect(valid.status).to.equal(201);
    expect(valid.ms, 'a credential verified recently is checked without scrypt').to.be.below(1000);
    expect(statuses(flood)[401]).to.equal(12);
    expect(statuses(flood)[429]).to.equal(64 - 12);
    expect((await upload('127.0.0.1', 'northwind', 'another-guess')).status, 'the account is held for everyone else').to.equal(429);
  });

  it('limits GetAuthorizationCookie guesses of a downstream server the same way, before any SOAP', async () => {
    const child = await addDownstream({ DATABASE_URL: db.url }, 'child.example');
    const url = `${node.url}/DssAuthWebService/DssAuthWebService.asmx`;
    const call = (from: string, password: string) => send(url, { from, method: 'POST', user: child.id, password, body: GET_AUTH_COOKIE });
    const flood = await Promise.all(Array.from({ length: 10 }, (_, i) => call('127.0.2.1', `guess-${i}`)));
    expect(statuses(flood)).to.deep.equal({ 401: 5, 429: 5 });
    expect(flood.find((a) => a.status === 429)!.retryAfter).to.match(/^\d+$/);
    const ok = await call('127.0.0.1', child.secret);
    expect(ok.status, ok.body).to.equal(200);
    expect(ok.body).to.contain('<CookieData>');
  });

  it("stops accepting a provider's old password as soon as its secret is reset, cache or not", async () => {
    expect((await upload('127.0.0.1', 'fabrikam', passwords.fabrikam)).status).to.equal(201);
    const [{ secret_hash: other }] = await sql<{ secret_hash: string }>(
      db.url,
      `SELECT secret_hash FROM software_provider WHERE name = 'contoso'`,
    );
    await sql(db.url, `UPDATE software_provider SET secret_hash = $1 WHERE name = 'fabrikam'`, [other]);
    expect((await upload('127.0.0.1', 'fabrikam', passwords.fabrikam)).status).to.equal(401);
    expect((await upload('127.0.0.1', 'fabrikam', passwords.contoso)).status).to.equal(201);
  });
});
