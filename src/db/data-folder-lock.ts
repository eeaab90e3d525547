import fs from 'node:fs';
import path from 'node:path';

/** DataFolderBusyError indicates that another live process holds the data folder. */
export class DataFolderBusyError extends Error {
  constructor(readonly folder: string, readonly pid: number) {
    super(`data folder ${folder} is in use by process ${pid}; stop that process or point CASCADE_DATA_DIR elsewhere`);
  }
}

const LOCK_NAME = 'cascade.lock';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** lockHolder returns the pid of the live process that holds the folder's lock, or undefined. */
export function lockHolder(folder: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(folder, LOCK_NAME), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * acquireDataFolderLock takes the folder's lock file for this process (PGlite has no lock of its own).
 * A lock left by a dead process is taken over. Returns the release function.
 */
export function acquireDataFolderLock(folder: string): () => void {
  fs.mkdirSync(folder, { recursive: true });
  const file = path.join(folder, LOCK_NAME);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      return () => {
        try {
          if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file);
        } catch { /* already gone */ }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = lockHolder(folder);
      if (pid !== undefined) throw new DataFolderBusyError(folder, pid);
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`could not take the lock on ${folder}`);
}
