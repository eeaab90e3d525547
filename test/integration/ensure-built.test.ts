import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT, tempDir } from '../support/node-process';

/** A checkout of a tiny TypeScript project with the repository's scripts/ensure-built.js and typescript. */
function tinyCheckout(): string {
  const dir = tempDir('casc-build-');
  fs.mkdirSync(path.join(dir, 'scripts'));
  fs.mkdirSync(path.join(dir, 'src'));
  fs.copyFileSync(path.join(REPO_ROOT, 'scripts', 'ensure-built.js'), path.join(dir, 'scripts', 'ensure-built.js'));
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "name": "tiny", "private": true }\n');
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    '{ "compilerOptions": { "outDir": "dist", "rootDir": ".", "types": [] }, "include": ["src"] }\n',
  );
  fs.writeFileSync(path.join(dir, 'src', 'main.ts'), 'export const answer: number = 42;\n');
  return dir;
}

function ensureBuilt(dir: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(dir, 'scripts', 'ensure-built.js')], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

describe('npm start compiles only what changed (scripts/ensure-built.js)', () => {
  it('compiles a fresh checkout, skips an up-to-date one, and compiles once for concurrent starts after a change', async () => {
    const dir = tinyCheckout();
    const output = path.join(dir, 'dist', 'src', 'main.js');
    const first = await ensureBuilt(dir);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stderr).to.contain('compiling');
    expect(fs.readFileSync(output, 'utf8')).to.contain('42');

    const built = fs.statSync(output).mtimeMs;
    const again = await ensureBuilt(dir);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stderr).to.equal('');
    expect(fs.statSync(output).mtimeMs).to.equal(built);

    fs.writeFileSync(path.join(dir, 'src', 'main.ts'), 'export const answer: number = 43;\n');
    const starts = await Promise.all([1, 2, 3].map(() => ensureBuilt(dir)));
    for (const s of starts) expect(s.code, s.stderr).to.equal(0);
    expect(starts.filter((s) => s.stderr.includes('compiling'))).to.have.length(1);
    expect(fs.readFileSync(output, 'utf8')).to.contain('43');
    expect(fs.existsSync(path.join(dir, 'dist', '.build-lock'))).to.equal(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
