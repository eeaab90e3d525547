#!/usr/bin/env node
// Compiles TypeScript to dist/ only when dist/ is missing or older than its sources, so `npm start` takes seconds
// after the first build. A lock folder keeps concurrent starts from one checkout from compiling under each other;
// `--force` compiles regardless (npm run build). Plain JavaScript: it must run before anything is compiled.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
/** Written after a successful compile, with the time the compile started. */
const stamp = path.join(dist, '.build-stamp');
const lock = path.join(dist, '.build-lock');
/** What a running node is compiled from; a change elsewhere (test/, scripts/) does not require a rebuild to start. */
const SOURCES = ['src', 'migrations', 'tsconfig.json', 'package.json', 'package-lock.json'];
const LOCK_WAIT_MS = 10 * 60 * 1000;

function newestMtime(p) {
  const st = fs.statSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  return fs.readdirSync(p).reduce((max, name) => Math.max(max, newestMtime(path.join(p, name))), st.mtimeMs);
}

function upToDate() {
  const built = fs.statSync(stamp, { throwIfNoEntry: false });
  return built !== undefined && SOURCES.every((s) => newestMtime(path.join(root, s)) <= built.mtimeMs);
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** acquire takes the lock folder (mkdir is atomic), waiting for a live holder and removing a dead one's. */
function acquire() {
  fs.mkdirSync(dist, { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    let holder = 0;
    try {
      holder = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
    } catch {
      /* not written yet, or the lock was just released */
    }
    // A holder that has not written its pid yet is alive; a recorded pid that is gone left the lock behind.
    if (holder && !isAlive(holder)) fs.rmSync(lock, { recursive: true, force: true });
    else if (Date.now() > deadline) throw new Error(`${lock} is held by process ${holder}; remove it if no build runs`);
    else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  }
}

function compile() {
  const started = new Date();
  process.stderr.write('cascade: compiling TypeScript to dist/\n');
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  fs.writeFileSync(stamp, `${started.toISOString()}\n`);
  fs.utimesSync(stamp, started, started);
}

const force = process.argv.includes('--force');
if (force || !upToDate()) {
  acquire();
  try {
    // Another start may have compiled while this one waited for the lock.
    if (force || !upToDate()) compile();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}
