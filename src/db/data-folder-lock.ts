import fs from 'node:fs';
import path from 'node:path';

/** DataFolderBusyError indicates that another live process holds the data folder. */
export class DataFolderBusyError extends Error {
  constructor(
    readonly folder: string,
    readonly pid: number,
  ) {
    super(`data folder ${folder} is in use by process ${pid}; stop that process or point CASCADE_DATA_DIR elsewhere`);
  }
}

/** LockFileHeldError indicates that another live process holds a lock file; `pid` names it. */
export class LockFileHeldError extends Error {
  constructor(
    readonly file: string,
    readonly pid: number,
  ) {
    super(`${file} is held by process ${pid}`);
  }
}

const DATA_FOLDER_LOCK = 'cascade.lock';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holder(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** lockHolder returns the pid of the live process that holds the folder's lock, or undefined. */
export function lockHolder(folder: string): number | undefined {
  return holder(path.join(folder, DATA_FOLDER_LOCK));
}

/**
 * acquireLockFile takes a lock file in a folder for this process: created exclusively, holding the pid.
 * A file left by a dead process is taken over; one held by a live process throws LockFileHeldError.
 * Returns the release function.
 */
export function acquireLockFile(folder: string, name: string): () => void {
  fs.mkdirSync(folder, { recursive: true });
  const file = path.join(folder, name);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      return () => {
        try {
          if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = holder(file);
      if (pid !== undefined) throw new LockFileHeldError(file, pid);
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`could not take the lock ${file}`);
}

/** acquireDataFolderLock takes the data folder for this process (PGlite has no lock of its own). */
export function acquireDataFolderLock(folder: string): () => void {
  try {
    return acquireLockFile(folder, DATA_FOLDER_LOCK);
  } catch (err) {
    if (err instanceof LockFileHeldError) throw new DataFolderBusyError(folder, err.pid);
    throw err;
  }
}
