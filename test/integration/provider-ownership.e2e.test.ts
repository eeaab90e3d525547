import { expect } from 'chai';
import { runCli, startNodeProcess, type NodeProcess } from '../support/node-process';
import { createTestDatabase, sql, type TestDatabase } from '../support/test-database';

const NS = 'urn:cascade:PublishingService:2026';

describe('providers own their updates and companies, through PublishingService on a node process', function () {
  this.timeout(90000);
  let db: TestDatabase;
  let node: NodeProcess;
  let env: Record<string, string>;
  const passwords: Record<string, string> = {};

  /** call posts one PublishingService operation as a provider; returns the HTTP status and body. */
  async function call(provider: string, operation: 'PublishUpdate' | 'ExpireUpdate', inner: string) {
    const res = await fetch(`${node.url}/PublishingWebService/PublishingService.asmx`, {
      method: 'POST',
      headers: {
        'Content-Type': 'text/xml; charset=utf-8',
        SOAPAction: `"${NS}/${operation}"`,
        Authorization: `Basic ${Buffer.from(`${provider}:${passwords[provider]}`).toString('base64')}`,
      },
      body: `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><${operation} xmlns="${NS}">${inner}</${operation}></s:Body></s:Envelope>`,
    });
    return { status: res.status, text: await res.text() };
  }
  const publish = (provider: string, fields: string) =>
    call(provider, 'PublishUpdate', `<update>${fields}<Classification>Updates</Classification></update>`);
  const expire = (provider: string, updateId: string) => call(provider, 'ExpireUpdate', `<updateId>${updateId}</updateId>`);
  const updateIdOf = (r: { status: number; text: string }) => {
    expect(r.status, r.text).to.equal(200);
    return /<UpdateID>([^<]+)<\/UpdateID>/.exec(r.text)![1];
  };
  const counts = async () =>
    (
      await sql<{ n: string }>(
        db.url,
        `SELECT (SELECT count(*) FROM "update") || '/' || (SELECT count(*) FROM update_revision) || '/' || (SELECT count(*) FROM category)
         || '/' || (SELECT count(*) FROM change_log) || '/' || (SELECT count(*) FROM revision_category) AS n`,
      )
    )[0].n;
  const expectRefused = (r: { status: number; text: string }, what: RegExp) => {
    expect(r.status, r.text).to.equal(500);
    expect(r.text).to.contain('<faultcode>soap:Client</faultcode>').and.contain('<ErrorCode>InvalidParameters</ErrorCode>');
    expect(r.text.replaceAll('&quot;', '"')).to.match(what);
  };

  before(async () => {
    db = await createTestDatabase();
    node = await startNodeProcess({ DATABASE_URL: db.url });
    env = { DATABASE_URL: db.url };
    for (const name of ['contoso', 'fabrikam']) {
      const added = await runCli(['providers', 'add', name], env);
      passwords[name] = /password:\s*(\S+)/.exec(added.stdout)![1];
    }
  });
  after(async () => {
    await node?.stop();
    await db?.drop();
  });

  it("refuses a provider a revision or expiry of another provider's update and a product of another's company, changing nothing", async () => {
    const updateId = updateIdOf(await publish('contoso', '<Title>Contoso Tool</Title><Product>Contoso Suite</Product>'));
    const before = await counts();

    expectRefused(
      await publish('fabrikam', `<UpdateID>${updateId}</UpdateID><Title>Hijacked</Title><Product>Fabrikam Suite</Product>`),
      new RegExp(`update ${updateId} belongs to another software provider, so fabrikam may not publish it`),
    );
    expectRefused(await expire('fabrikam', updateId), /belongs to another software provider, so fabrikam may not expire it/);
    expectRefused(
      await publish('fabrikam', '<Title>Squatter</Title><Company>contoso</Company><Product>Contoso Suite</Product>'),
      /company "contoso" and its products belong to another software provider; an administrator may grant it: cascade providers grant fabrikam --company "contoso"/,
    );
    expectRefused(
      await publish('fabrikam', '<Title>New product</Title><Company>contoso</Company><Product>Contoso Extra</Product>'),
      /company "contoso"/,
    );
    expect(await counts()).to.equal(before);

    // The owner still may, and another provider's own company is its own.
    updateIdOf(await publish('contoso', `<UpdateID>${updateId}</UpdateID><Title>Contoso Tool 2</Title><Product>Contoso Suite</Product>`));
    updateIdOf(await publish('fabrikam', '<Title>Fabrikam Tool</Title><Product>Fabrikam Suite</Product>'));
    updateIdOf(await expire('contoso', updateId));
  });

  it('lets an administrator grant a company to another provider, and revoke it', async () => {
    const updateId = updateIdOf(await publish('contoso', '<Title>Contoso Agent</Title><Product>Contoso Agent</Product>'));
    const granted = await runCli(['providers', 'grant', 'fabrikam', '--company', 'contoso'], env);
    expect(granted.code, granted.stderr).to.equal(0);
    expect(granted.stdout).to.contain('granted company "contoso" for provider fabrikam');
    updateIdOf(
      await publish(
        'fabrikam',
        `<UpdateID>${updateId}</UpdateID><Title>Agent 2</Title><Company>contoso</Company><Product>Contoso Agent</Product>`,
      ),
    );
    updateIdOf(await publish('fabrikam', '<Title>Helper</Title><Company>contoso</Company><Product>Contoso Helper</Product>'));

    const revoked = await runCli(['providers', 'revoke', 'fabrikam', '--company', 'contoso'], env);
    expect(revoked.code, revoked.stderr).to.equal(0);
    expectRefused(await expire('fabrikam', updateId), /may not expire it/);

    const unknown = await runCli(['providers', 'grant', 'fabrikam', '--company', 'Nobody Inc'], env);
    expect(unknown.code).to.equal(3);
    expect(unknown.stderr).to.contain('no company titled "Nobody Inc"');
  });
});
