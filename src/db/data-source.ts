import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ALL_ENTITIES } from '../entities';
import { ALL_MIGRATIONS } from '../../migrations';
import type { SocketConnection } from './embedded-postgres';

/** Where a DataSource connects: an external Postgres URL or an embedded database's socket. */
export type DatabaseTarget = { url: string } | { socket: SocketConnection };

/**
 * createDataSource builds the one DataSource shape used by the node, the CLI and the tests: a pool of
 * poolSize connections, where a caller waits at most poolWaitMs for one (unset: as long as it takes).
 */
export function createDataSource(target: DatabaseTarget, poolSize = 10, poolWaitMs?: number): DataSource {
  const where = 'url' in target ? { url: target.url } : { ...target.socket };
  return new DataSource({
    type: 'postgres',
    ...where,
    entities: ALL_ENTITIES,
    migrations: ALL_MIGRATIONS,
    migrationsTableName: 'schema_migration',
    migrationsTransactionMode: 'each',
    synchronize: false,
    installExtensions: false,
    uuidExtension: 'pgcrypto',
    extra: { max: poolSize, ...(poolWaitMs ? { connectionTimeoutMillis: poolWaitMs } : {}) },
    logging: ['error'],
  });
}
