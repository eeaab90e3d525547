import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { CLASSIFICATION, insertProductTree } from '../factories/catalog.factory';
import { adminContext } from '../support/services';
import { buildDownstreamServices } from '../support/downstream-services';
import { runCli, tempDir } from '../support/node-process';
import { createMigratedDatabase, type TestDatabase } from '../support/test-database';

describe('cascade downstream (CLI against DATABASE_URL)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let env: Record<string, string>;

  before(async () => {
    ({ db, ds } = await createMigratedDatabase());
    env = { DATABASE_URL: db.url, CASCADE_DATA_DIR: tempDir(), CASCADE_PUBLIC_URL: 'https://parent.example.org:8531' };
  });
  after(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('adds, lists, disables and removes a downstream server', async () => {
    const add = await runCli(['downstream', 'add', '--name', 'branch-1.example.org', '--channel', 'Branches'], env);
    expect(add.code, add.stderr).to.equal(0);
    const id = /server id: ([0-9a-f-]{36})/.exec(add.stdout)?.[1];
    const secret = /secret:\s+(\S+)/.exec(add.stdout)?.[1];
    expect(id).to.be.a('string');
    expect(secret).to.match(/^[A-Za-z0-9_-]{32}$/);
    expect(add.stdout).to.contain('CASCADE_UPSTREAM_URL=https://parent.example.org:8531');
    expect(add.stdout).to.contain(`CASCADE_UPSTREAM_ID=${id}`);
    expect(add.stdout).to.contain(`CASCADE_UPSTREAM_SECRET=${secret}`);
    expect(await (await buildDownstreamServices(ds)).servers.authenticate(adminContext(), id!, secret!)).to.not.equal(undefined);

    const list = await runCli(['downstream', 'list'], env);
    expect(list.code, list.stderr).to.equal(0);
    expect(list.stdout).to.match(/ID\s+NAME\s+CHANNEL\s+ENABLED\s+LAST SEEN/);
    expect(list.stdout).to.match(new RegExp(`${id}\\s+branch-1\\.example\\.org\\s+Branches\\s+yes\\s+never`));
    expect(list.stdout).to.not.contain(secret!);

    const dup = await runCli(['downstream', 'add', '--name', 'branch-1.example.org'], env);
    expect(dup.code).to.equal(3);
    expect(dup.stderr).to.match(/already exists/);

    const disable = await runCli(['downstream', 'disable', 'branch-1.example.org'], env);
    expect(disable.code, disable.stderr).to.equal(0);
    expect((await runCli(['downstream', 'list'], env)).stdout).to.match(new RegExp(`${id}\\s+branch-1\\.example\\.org\\s+Branches\\s+no`));
    expect(await (await buildDownstreamServices(ds)).servers.authenticate(adminContext(), id!, secret!)).to.equal(undefined);

    const remove = await runCli(['downstream', 'remove', id!], env);
    expect(remove.code, remove.stderr).to.equal(0);
    expect((await runCli(['downstream', 'list'], env)).stdout).to.not.contain(id!);
    const again = await runCli(['downstream', 'remove', id!], env);
    expect(again.code).to.equal(3);
    expect(again.stderr).to.match(/no downstream server/);
  });

  it('sets and lists rules by title or GUID, and refuses unknown products with exit 3', async () => {
    const tree = await insertProductTree(ds, 'Contoso Widgets');
    const add = await runCli(['downstream', 'add', '--name', 'ruled'], env);
    expect(add.code, add.stderr).to.equal(0);

    const byServer = await runCli(
      [
        'downstream',
        'allow',
        'ruled',
        '--products',
        'Contoso Widgets Product',
        '--classifications',
        'Security Updates',
        CLASSIFICATION.critical,
      ],
      env,
    );
    expect(byServer.code, byServer.stderr).to.equal(0);
    const byChannel = await runCli(
      ['downstream', 'allow', '--channel', 'Default', '--products', tree.familyId, '--classifications', 'all'],
      env,
    );
    expect(byChannel.code, byChannel.stderr).to.equal(0);

    const rules = await runCli(['downstream', 'rules'], env);
    expect(rules.code, rules.stderr).to.equal(0);
    expect(rules.stdout).to.match(/channel "Default"\s+Contoso Widgets Family\s+all/);
    expect(rules.stdout).to.match(/server ruled\s+Contoso Widgets Product\s+Security Updates; Critical Updates/);

    const unknown = await runCli(['downstream', 'allow', 'ruled', '--products', 'No Such Thing', '--classifications', 'all'], env);
    expect(unknown.code).to.equal(3);
    expect(unknown.stderr).to.contain('unknown product "No Such Thing"');
    const both = await runCli(
      ['downstream', 'allow', 'ruled', '--channel', 'Default', '--products', 'all', '--classifications', 'all'],
      env,
    );
    expect(both.code).to.equal(2);
    expect((await runCli(['downstream', 'rules'], env)).stdout).to.equal(rules.stdout);

    const reset = await runCli(['downstream', 'reset-rule', 'ruled'], env);
    expect(reset.code, reset.stderr).to.equal(0);
    expect((await runCli(['downstream', 'rules'], env)).stdout).to.not.match(/server ruled/);
  });
});
