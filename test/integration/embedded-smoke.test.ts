import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT, runCli, startNodeProcess, tempDir, type NodeProcess } from '../support/node-process';

describe('a node on the embedded database (no DATABASE_URL)', function () {
  this.timeout(120000);
  let node: NodeProcess;
  const dataDir = tempDir('casc-emb-');
  const env = { CASCADE_DATA_DIR: dataDir };

  before(async () => {
    node = await startNodeProcess(env, 90000);
  });
  after(async () => {
    await node?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers /healthz and serves the PublishingService WSDL with its own address', async () => {
    expect(await (await fetch(`${node.url}/healthz`)).json()).to.deep.equal({ status: 'ok', database: 'embedded' });
    const wsdl = await (await fetch(`${node.url}/PublishingWebService/PublishingService.asmx?wsdl`)).text();
    expect(wsdl).to.contain(`<soap:address location="${node.url}/PublishingWebService/PublishingService.asmx"/>`);
    expect(fs.existsSync(path.join(dataDir, 'pgdata'))).to.equal(true);
  });

  it('lets cascade commands work on its database while it runs', async () => {
    const added = await runCli(['providers', 'add', 'embedded-provider'], env);
    expect(added.code, added.stderr).to.equal(0);
    const listed = await runCli(['providers', 'list'], env);
    expect(listed.stdout).to.contain('embedded-provider');
    const status = await runCli(['migrate', 'status'], env);
    expect(status.stdout).to.not.contain('pending');
  });

  it('refuses a second node on the same data folder with a clear message', () => {
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'dist', 'src', 'main.js')], {
      env: { PATH: process.env.PATH, ...env, CASCADE_PORT: '0', CASCADE_LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 60000,
    });
    expect(r.status).to.equal(1);
    expect(r.stderr).to.contain(`data folder ${dataDir} is in use by process ${node.child.pid}`);
  });
});
