import { expect } from 'chai';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../support/node-process';
import { FIXTURE_CATEGORIES, FIXTURE_UPDATES, startSyncFixture, type SyncFixture } from '../support/sync-fixture';

// Independent SOAP stacks (node-stack.md §14) sync from a real node using only the WSDLs it serves.
const SCRIPTS = path.join(REPO_ROOT, 'test', 'interop');
const CLIENTS = [
  { name: 'python zeep', command: '/usr/bin/python3', script: 'zeep_sync.py', unauthorized: /\(401\)/ },
  // PHP names the HTTP status only when the 401's body is not labelled text/xml (it once was: "looks like we got no XML document").
  { name: 'PHP SoapClient', command: 'php', script: 'php_sync.php', unauthorized: /\[HTTP\] Unauthorized/ },
];

interface ClientRun {
  code: number;
  stdout: string;
  stderr: string;
}

function runClient(command: string, args: string[]): Promise<ClientRun> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 20_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** What each script prints: product titles, revision identities, update titles and, with --forged-cookie, the fault it got. */
interface SyncReport {
  products: string[];
  revisions: Array<{ UpdateID: string; RevisionNumber: number }>;
  titles: Record<string, string>;
  forgedCookieErrorCode?: string | null;
  forgedCookieFault?: { code: string; message: string };
}

describe('Independent SOAP clients sync from a node', function () {
  this.timeout(60000);
  let fixture: SyncFixture;

  before(async () => {
    fixture = await startSyncFixture();
  });
  after(async () => {
    await fixture?.close();
  });

  for (const client of CLIENTS) {
    describe(client.name, () => {
      it('sees exactly the published updates with their titles, and reads the ErrorCode of a forged-cookie fault', async () => {
        const { id, secret } = fixture.downstream;
        const run = await runClient(client.command, [path.join(SCRIPTS, client.script), fixture.node.url, id, secret, '--forged-cookie']);
        expect(run.code, run.stderr).to.equal(0);
        const report = JSON.parse(run.stdout) as SyncReport;
        expect(report.products).to.deep.equal([FIXTURE_CATEGORIES.editor.title, FIXTURE_CATEGORIES.viewer.title]);
        expect(report.revisions).to.deep.equal(FIXTURE_UPDATES.map((u) => ({ UpdateID: u.updateId, RevisionNumber: 1 })));
        // The third title holds markup and non-ASCII text: both levels of XML escaping and UTF-8 must survive.
        expect(report.titles).to.deep.equal(Object.fromEntries(FIXTURE_UPDATES.map((u) => [u.updateId, u.title])));
        expect(report.forgedCookieErrorCode).to.equal('InvalidCookie');
        expect(report.forgedCookieFault?.code).to.match(/(^|:)Client$/);
      });

      it('fails with a non-zero exit when the secret is wrong', async () => {
        const run = await runClient(client.command, [
          path.join(SCRIPTS, client.script),
          fixture.node.url,
          fixture.downstream.id,
          'wrong-secret',
        ]);
        expect(run.code).to.not.equal(0);
        expect(run.stdout).to.equal('');
        expect(run.stderr).to.match(client.unauthorized);
      });
    });
  }

  it('refuses wrong credentials with 401 and a body that does not claim to be XML', async () => {
    const res = await fetch(`${fixture.node.url}/DssAuthWebService/DssAuthWebService.asmx`, {
      method: 'POST',
      headers: {
        'Content-Type': 'text/xml; charset=utf-8',
        Authorization: `Basic ${Buffer.from(`${fixture.downstream.id}:wrong-secret`).toString('base64')}`,
        SOAPAction: '"http://www.microsoft.com/SoftwareDistribution/Server/DssAuthWebService/GetAuthorizationCookie"',
      },
      body:
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>' +
        '<GetAuthorizationCookie xmlns="http://www.microsoft.com/SoftwareDistribution/Server/DssAuthWebService"/></s:Body></s:Envelope>',
    });
    expect(res.status).to.equal(401);
    expect(res.headers.get('www-authenticate')).to.equal('Basic realm="Cascade"');
    expect(res.headers.get('content-type')).to.match(/^application\/json/);
    expect(((await res.json()) as { error: string }).error).to.equal('Unauthorized');
  });
});
