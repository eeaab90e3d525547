import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireLockFile, LockFileHeldError } from '../../src/db/data-folder-lock';

describe('lock files', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'casc-lock-'));
  after(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('are taken once, refused while held by a live process, and free again after release', () => {
    const release = acquireLockFile(folder, 'sync.lock');
    expect(fs.readFileSync(path.join(folder, 'sync.lock'), 'utf8').trim()).to.equal(String(process.pid));
    expect(() => acquireLockFile(folder, 'sync.lock'))
      .to.throw(LockFileHeldError)
      .with.property('pid', process.pid);
    release();
    expect(fs.existsSync(path.join(folder, 'sync.lock'))).to.equal(false);
    acquireLockFile(folder, 'sync.lock')();
  });

  it('are taken over from a process that died', () => {
    fs.writeFileSync(path.join(folder, 'stale.lock'), '2147483646\n');
    const release = acquireLockFile(folder, 'stale.lock');
    expect(fs.readFileSync(path.join(folder, 'stale.lock'), 'utf8').trim()).to.equal(String(process.pid));
    release();
  });
});
