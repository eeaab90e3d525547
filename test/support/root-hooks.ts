import fs from 'node:fs';
import path from 'node:path';
import { killLeftoverProcesses } from './node-process';
import { dropLeftoverDatabases, sweepDatabases } from './test-database';
import { killRecordedProcesses, RUN_DATABASE_PREFIX, RUN_DIR, staleRun } from './test-run';

// Loaded through .mocharc.cjs `require`, in mocha's main process and in every parallel worker. Whatever a
// test leaves behind (its `before` failed, an `after` threw, a worker died) is removed: processes first,
// then databases and temporary folders.

let fileStarted = 0;

/** Root hooks: in parallel mode they run around each test file, in its worker; serially, around the whole run. */
export const mochaHooks = {
  beforeAll(): void {
    fileStarted = Date.now();
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    const files = (this.test?.parent?.suites ?? []).map((s) => path.relative(process.cwd(), s.file ?? '?'));
    const processes = await killLeftoverProcesses();
    const databases = await dropLeftoverDatabases();
    if (processes || databases.length) {
      process.stderr.write(
        `[cleanup] ${files.join(', ')} left ${processes} process(es) running and ${databases.length} database(s): removed\n`,
      );
    }
    // CASCADE_TEST_TIMINGS=<file> appends "<seconds>\t<test file>" for each file (used to find the slow ones).
    if (process.env.CASCADE_TEST_TIMINGS) {
      fs.appendFileSync(process.env.CASCADE_TEST_TIMINGS, `${((Date.now() - fileStarted) / 1000).toFixed(1)}\t${files.join(' ')}\n`);
    }
  },
};

/** Before any worker starts: remove what runs of this machine whose mocha process is gone left behind. */
export async function mochaGlobalSetup(): Promise<void> {
  const dropped = await sweepDatabases();
  const dirs = fs
    .readdirSync(path.dirname(RUN_DIR))
    .filter(staleRun)
    .map((d) => path.join(path.dirname(RUN_DIR), d));
  for (const dir of dirs) {
    killRecordedProcesses(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (dropped.length || dirs.length)
    process.stderr.write(`[cleanup] removed ${dropped.length} database(s) and ${dirs.length} folder(s) of earlier runs\n`);
}

/** After every worker has finished: this run's processes, databases and folders, whatever is left of them. */
export async function mochaGlobalTeardown(): Promise<void> {
  const processes = killRecordedProcesses();
  const databases = await sweepDatabases(RUN_DATABASE_PREFIX);
  fs.rmSync(RUN_DIR, { recursive: true, force: true });
  if (processes || databases.length) {
    process.stderr.write(`[cleanup] end of run: killed ${processes} process(es), dropped ${databases.length} database(s)\n`);
  }
}
