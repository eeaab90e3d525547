import { Readable } from 'node:stream';
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import { addDownstream, authorize, faultCode, httpStatus, type AuthorizedClients } from '../support/downstream-client';
import { runCli, startNodeProcess, type NodeProcess } from '../support/node-process';
import { providerContext, testServices } from '../support/services';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

describe('ServerSync over SOAP against a node process', function () {
  this.timeout(60000);
  let db: TestDatabase;
  let node: NodeProcess;
  let ds: DataSource;
  let child: { id: string; secret: string };
  let clients: AuthorizedClients;
  let published: Array<{ updateId: string; revisionNumber: number }> = [];

  before(async () => {
    db = await createTestDatabase();
    node = await startNodeProcess({ DATABASE_URL: db.url });
    ds = await createDataSource({ url: db.url }).initialize();
    const { publishing } = await testServices(ds);
    published = [];
    for (const title of ['One', 'Two', 'Three']) {
      published.push(
        await publishing.publishUpdate(providerContext('Northwind'), {
          title,
          product: 'Northwind Suite',
          classification: 'Critical Updates',
        }),
      );
    }
    child = await addDownstream({ DATABASE_URL: db.url }, 'child-1.example');
    clients = await authorize(node.url, child.id, child.secret);
  });
  after(async () => {
    await ds?.destroy();
    await node?.stop();
    await db?.drop();
  });

  it('walks GetConfigData → GetCatalog → GetRevisionIdList → GetUpdateData and sees the published updates', async () => {
    const { sync, cookie } = clients;
    const [config] = await sync.GetConfigDataAsync({ cookie });
    expect(config.GetConfigDataResult.MaxNumberOfUpdatesPerRequest).to.equal(100);
    const [catalog] = await sync.GetCatalogAsync({ cookie });
    const companies = catalog.GetCatalogResult.Products.CatalogCategory;
    expect(companies.map((c: { Title: string }) => c.Title)).to.include('Northwind');
    const [list] = await sync.GetRevisionIdListAsync({ cookie, filter: { GetConfig: false } });
    const ids = list.GetRevisionIdListResult.NewRevisions.UpdateIdentity;
    expect(ids.map((i: { UpdateID: string }) => i.UpdateID).sort()).to.deep.equal(published.map((p) => p.updateId).sort());
    const [data] = await sync.GetUpdateDataAsync({ cookie, updateIds: { UpdateIdentity: ids } });
    const blobs = data.GetUpdateDataResult.updates.ServerSyncUpdateData.map((u: { XmlUpdateBlob: string }) => u.XmlUpdateBlob);
    expect(blobs.join()).to.contain('<upd:Title>Two</upd:Title>');
    const [again] = await sync.GetRevisionIdListAsync({
      cookie,
      filter: { Anchor: list.GetRevisionIdListResult.Anchor, GetConfig: false },
    });
    expect(again.GetRevisionIdListResult.NewRevisions).to.equal(null);
  });

  it('answers bad input with the WSUS fault and HTTP 500', async () => {
    const { sync, cookie } = clients;
    const forged = { ...cookie, EncryptedData: Buffer.from('forged cookie bytes that are long enough to look real').toString('base64') };
    const cases: Array<[string, () => Promise<unknown>, string]> = [
      ['no cookie', () => sync.GetConfigDataAsync({}), 'InvalidParameters'],
      ['forged cookie', () => sync.GetConfigDataAsync({ cookie: forged }), 'InvalidCookie'],
      [
        'auth cookie as cookie',
        () => sync.GetConfigDataAsync({ cookie: { Expiration: cookie.Expiration, EncryptedData: clients.authCookie.CookieData } }),
        'InvalidCookie',
      ],
      [
        'forged authorization cookie',
        () =>
          sync.GetCookieAsync({
            authCookies: { AuthorizationCookie: [{ PlugInId: 'DssTargeting', CookieData: forged.EncryptedData }] },
            protocolVersion: '1.20',
          }),
        'InvalidAuthorizationCookie',
      ],
      [
        'protocol 2.0',
        () => sync.GetCookieAsync({ authCookies: { AuthorizationCookie: [clients.authCookie] }, protocolVersion: '2.0' }),
        'IncompatibleProtocolVersion',
      ],
      [
        'malformed anchor',
        () => sync.GetRevisionIdListAsync({ cookie, filter: { Anchor: 'garbage', GetConfig: false } }),
        'InvalidParameters',
      ],
      [
        '101 identities',
        () =>
          sync.GetUpdateDataAsync({
            cookie,
            updateIds: { UpdateIdentity: Array(101).fill({ UpdateID: published[0].updateId, RevisionNumber: 1 }) },
          }),
        'InvalidParameters',
      ],
      [
        'unknown identity',
        () =>
          sync.GetUpdateDataAsync({
            cookie,
            updateIds: { UpdateIdentity: [{ UpdateID: '00000000-0000-4000-8000-000000000000', RevisionNumber: 1 }] },
          }),
        'InvalidParameters',
      ],
      [
        'wrong type',
        () =>
          sync.GetUpdateDataAsync({ cookie, updateIds: { UpdateIdentity: [{ UpdateID: published[0].updateId, RevisionNumber: 'one' }] } }),
        'InvalidParameters',
      ],
    ];
    for (const [what, call, code] of cases) {
      const err = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, what).to.not.equal(undefined);
      expect(faultCode(err), what).to.equal(code);
      expect(httpStatus(err), what).to.equal(500);
    }
  });

  it("refuses a wrong secret with 401 and a disabled server's cookie with InvalidCookie", async () => {
    const wrong = await authorize(node.url, child.id, 'wrong-secret').then(
      () => undefined,
      (e) => e,
    );
    expect(wrong?.response?.status).to.equal(401);
    const other = await addDownstream({ DATABASE_URL: db.url }, 'child-2.example');
    const c2 = await authorize(node.url, other.id, other.secret);
    expect((await runCli(['downstream', 'disable', other.id], { DATABASE_URL: db.url })).code).to.equal(0);
    const err = await c2.sync.GetConfigDataAsync({ cookie: c2.cookie }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(faultCode(err)).to.equal('InvalidCookie');
  });

  it('refuses an unknown downstream server with 401', async () => {
    const err = await authorize(node.url, '7d1f0c2e-0000-4000-8000-00000000abcd', 'whatever').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(httpStatus(err)).to.equal(401);
  });

  it('after an availability change, the next delta carries exactly the updates that became available', async () => {
    const env = { DATABASE_URL: db.url };
    const { publishing } = await testServices(ds);
    const extra = await publishing.publishUpdate(providerContext('Northwind'), {
      title: 'Other product',
      product: 'Northwind Tools',
      classification: 'Updates',
    });
    const branch = await addDownstream(env, 'branch.example');
    const allow = await runCli(['downstream', 'allow', 'branch.example', '--products', 'Northwind Suite', '--classifications', 'all'], env);
    expect(allow.code, allow.stderr).to.equal(0);
    const c = await authorize(node.url, branch.id, branch.secret);
    const [first] = await c.sync.GetRevisionIdListAsync({ cookie: c.cookie, filter: { GetConfig: false } });
    const seen = first.GetRevisionIdListResult.NewRevisions.UpdateIdentity.map((i: { UpdateID: string }) => i.UpdateID);
    expect(seen.sort()).to.deep.equal(published.map((p) => p.updateId).sort());
    const widen = await runCli(
      ['downstream', 'allow', 'branch.example', '--products', 'Northwind Suite', 'Northwind Tools', '--classifications', 'all'],
      env,
    );
    expect(widen.code, widen.stderr).to.equal(0);
    const [next] = await c.sync.GetRevisionIdListAsync({
      cookie: c.cookie,
      filter: { Anchor: first.GetRevisionIdListResult.Anchor, GetConfig: false },
    });
    expect(next.GetRevisionIdListResult.NewRevisions.UpdateIdentity).to.deep.equal([{ UpdateID: extra.updateId, RevisionNumber: 1 }]);
  });

  it("answers DownloadFiles for a file of an update the caller's rule withholds as for an unknown digest", async () => {
    const env = { DATABASE_URL: db.url };
    const { publishing, uploads } = await testServices(ds);
    const upload = (text: string) => uploads.upload(providerContext('Northwind'), { fileName: `${text}.cab`, body: Readable.from([text]) });
    const [allowed, withheld] = [await upload('suite payload'), await upload('tools payload')];
    await publishing.publishUpdate(providerContext('Northwind'), {
      title: 'Suite fix',
      product: 'Northwind Suite',
      classification: 'Updates',
      files: [{ sha1: allowed.sha1, fileName: 'suite.cab' }],
    });
    await publishing.publishUpdate(providerContext('Northwind'), {
      title: 'Tools fix',
      product: 'Northwind Tools',
      classification: 'Updates',
      files: [{ sha1: withheld.sha1, fileName: 'tools.cab' }],
    });
    const narrow = await addDownstream(env, 'narrow.example');
    const allow = await runCli(['downstream', 'allow', 'narrow.example', '--products', 'Northwind Suite', '--classifications', 'all'], env);
    expect(allow.code, allow.stderr).to.equal(0);
    const c = await authorize(node.url, narrow.id, narrow.secret);
    const download = (sha1: string) =>
      c.sync.DownloadFilesAsync({ cookie: c.cookie, fileDigestList: { base64Binary: [Buffer.from(sha1, 'hex').toString('base64')] } }).then(
        () => 'ok',
        (e: unknown) =>
          `${faultCode(e)}: ${(e as { root?: { Envelope?: { Body?: { Fault?: { detail?: { Message?: string } } } } } }).root?.Envelope?.Body?.Fault?.detail?.Message}`,
      );
    expect(await download(allowed.sha1)).to.equal('ok');
    expect(await download(withheld.sha1)).to.equal(`FileDigestsMissing: ${Buffer.from(withheld.sha1, 'hex').toString('base64')}`);
    const unknown = 'ab'.repeat(20);
    expect(await download(unknown)).to.equal(`FileDigestsMissing: ${Buffer.from(unknown, 'hex').toString('base64')}`);
    // The same digest is answered for a caller whose rule makes that update available.
    expect(await clients.sync.DownloadFilesAsync({ cookie: clients.cookie, fileDigestList: { base64Binary: [withheld.digest] } })).to.be.an(
      'array',
    );
  });

  it('answers an unknown operation and malformed XML with a SOAP 1.1 fault and no stack trace', async () => {
    const url = `${node.url}/ServerSyncWebService/ServerSyncWebService.asmx`;
    for (const body of [
      '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><Nope xmlns="http://www.microsoft.com/SoftwareDistribution"/></s:Body></s:Envelope>',
      '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetConfigData>',
    ]) {
      const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8' }, body });
      const text = await res.text();
      expect(res.status).to.equal(500);
      expect(res.headers.get('content-type')).to.equal('text/xml; charset=utf-8');
      expect(text).to.contain('<faultcode>soap:Client</faultcode>').and.contain('<ErrorCode>InvalidParameters</ErrorCode>');
      expect(text).to.not.match(/at .*\.js:\d+/);
    }
  });

  it('serves every WSDL with soap:address pointing at the node', async () => {
    for (const path of ['/ServerSyncWebService/ServerSyncWebService.asmx', '/DssAuthWebService/DssAuthWebService.asmx']) {
      const text = await (await fetch(`${node.url}${path}?wsdl`)).text();
      expect(text).to.contain(`location="${node.url}${path}"`);
    }
  });
});
