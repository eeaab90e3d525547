import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { addDownstream, authorize } from '../support/downstream-client';
import { runCli, startNodeProcess, tempDir, type NodeProcess } from '../support/node-process';
import { createTestDatabase, sql, type TestDatabase } from '../support/test-database';

describe('cascade publish against a node process', function () {
  this.timeout(90000);
  let db: TestDatabase;
  let node: NodeProcess;
  let env: Record<string, string>;
  let password: string;
  const dir = tempDir('casc-pub-');
  const payload = randomBytes(5 * 1024 * 1024);
  const file = path.join(dir, 'contoso-tool-1.1.msu');

  const count = async (table: string) => Number((await sql<{ n: string }>(db.url, `SELECT count(*) AS n FROM ${table}`))[0].n);
  const publish = (...args: string[]) =>
    runCli(['publish', '--url', node.url, ...args], { ...env, CASCADE_USER: 'contoso', CASCADE_PASSWORD: password });

  before(async () => {
    db = await createTestDatabase();
    node = await startNodeProcess({ DATABASE_URL: db.url });
    env = { DATABASE_URL: db.url };
    fs.writeFileSync(file, payload);
    const added = await runCli(['providers', 'add', 'contoso'], env);
    password = /password:\s*(\S+)/.exec(added.stdout)![1];
  });
  after(async () => {
    await node?.stop();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('publishes a 5 MB payload whose URL in the update metadata serves it back byte-identical; republishing makes revision 2', async () => {
    const first = await publish(
      '--title',
      'Contoso Tool 1.1',
      '--product',
      'Contoso Tool',
      '--classification',
      'Security Updates',
      '--kb',
      '5000001',
      file,
    );
    expect(first.code, first.stderr).to.equal(0);
    const [, updateId, revision] = /published (\S+) revision (\d+)/.exec(first.stdout)!;
    expect(revision).to.equal('1');

    const child = await addDownstream(env, 'reader.example');
    const { sync, cookie } = await authorize(node.url, child.id, child.secret);
    const [data] = await sync.GetUpdateDataAsync({ cookie, updateIds: { UpdateIdentity: [{ UpdateID: updateId, RevisionNumber: 1 }] } });
    const url: string = data.GetUpdateDataResult.fileUrls.ServerSyncUrlData[0].MUUrl;
    expect(url).to.match(/\/Content\/[0-9A-F]{2}\/[0-9A-F]{40}\.msu$/);
    const fetched = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(fetched.equals(payload)).to.equal(true);
    const range = await fetch(url, { headers: { Range: 'bytes=100-199' } });
    expect(range.status).to.equal(206);
    expect(Buffer.from(await range.arrayBuffer()).equals(payload.subarray(100, 200))).to.equal(true);
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.headers.get('content-length')).to.equal(String(payload.length));

    const second = await publish(
      '--update-id',
      updateId,
      '--title',
      'Contoso Tool 1.1 (re-release)',
      '--product',
      'Contoso Tool',
      '--classification',
      'Security Updates',
      file,
    );
    expect(second.code, second.stderr).to.equal(0);
    expect(second.stdout).to.contain(`published ${updateId} revision 2`);
  });

  it('answers PublishUpdate naming an unknown digest with InvalidParameters and stores nothing', async () => {
    const before = [await count('update_revision'), await count('change_log'), await count('category')];
    const body = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
      <PublishUpdate xmlns="urn:cascade:PublishingService:2026"><update><Title>Ghost</Title><Product>Ghost Product</Product>
      <Classification>Updates</Classification><Files><PublishedFile><Sha1>${'c'.repeat(40)}</Sha1><FileName>ghost.exe</FileName></PublishedFile></Files>
      </update></PublishUpdate></s:Body></s:Envelope>`;
    const res = await fetch(`${node.url}/PublishingWebService/PublishingService.asmx`, {
      method: 'POST',
      body,
      headers: {
        'Content-Type': 'text/xml; charset=utf-8',
        SOAPAction: '"urn:cascade:PublishingService:2026/PublishUpdate"',
        Authorization: `Basic ${Buffer.from(`contoso:${password}`).toString('base64')}`,
      },
    });
    const text = await res.text();
    expect(res.status).to.equal(500);
    expect(text).to.contain('<ErrorCode>InvalidParameters</ErrorCode>').and.contain('cccccccc');
    expect([await count('update_revision'), await count('change_log'), await count('category')]).to.deep.equal(before);
  });

  it('refuses a wrong provider password with 401, on upload and on PublishUpdate', async () => {
    const r = await runCli(
      [
        'publish',
        '--url',
        node.url,
        '--user',
        'contoso',
        '--password',
        'wrong',
        '--title',
        'T',
        '--product',
        'P',
        '--classification',
        'Updates',
        file,
      ],
      env,
    );
    expect(r.code).to.equal(3);
    expect(r.stderr).to.contain('401');
    const res = await fetch(`${node.url}/PublishingWebService/PublishingService.asmx`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml', Authorization: `Basic ${Buffer.from('contoso:wrong').toString('base64')}` },
      body: '<x/>',
    });
    expect(res.status).to.equal(401);
    expect(res.headers.get('www-authenticate')).to.equal('Basic realm="Cascade"');
  });

  it('answers a malformed envelope with a SOAP 1.1 fault, HTTP 500 and no stack trace', async () => {
    const res = await fetch(`${node.url}/PublishingWebService/PublishingService.asmx`, {
      method: 'POST',
      body: '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><PublishUpdate></s:Body>',
      headers: { 'Content-Type': 'text/xml', Authorization: `Basic ${Buffer.from(`contoso:${password}`).toString('base64')}` },
    });
    const text = await res.text();
    expect(res.status).to.equal(500);
    expect(text).to.match(
      /^<\?xml[^>]*\?><soap:Envelope xmlns:soap="http:\/\/schemas.xmlsoap.org\/soap\/envelope\/"><soap:Body><soap:Fault><faultcode>soap:Client<\/faultcode>/,
    );
    expect(text).to.not.match(/\.js:\d+|at \w+ \(/);
  });
});
