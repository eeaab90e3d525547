import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager, QueryRunner, ReplicationMode } from 'typeorm';
import type { Actor } from '../domain/actor';
import { DomainError } from '../domain/errors';

/**
 * RequestContext indicates one request or job: who acts, its id for the logs, and, inside a unit of
 * work, the transaction every repository call of that use case runs in. It is the first argument of
 * every service method.
 */
export interface RequestContext {
  readonly actor: Actor;
  readonly requestId: string;
  readonly tx?: EntityManager;
}

/** TxContext is a RequestContext inside a unit of work; repositories take nothing else, so none runs outside one. */
export interface TxContext extends RequestContext {
  readonly tx: EntityManager;
}

/** requestContext starts the context of a request or job. */
export function requestContext(actor: Actor, requestId: string = randomUUID()): RequestContext {
  return { actor, requestId };
}

/** The transaction a call chain holds, while it is open. */
interface TransactionScope {
  runner: QueryRunner;
  open: boolean;
}

const transactionScope = new AsyncLocalStorage<TransactionScope>();

/**
 * SecondConnectionError indicates a query sent on another pooled connection while the same call chain holds
 * an open transaction. On the embedded database (one PGlite session, handed to the connection whose
 * transaction is open) such a query can never run: the transaction waits for it and it for the transaction.
 */
export class SecondConnectionError extends Error {
  constructor(sql: string) {
    super(`a query ran outside the transaction its call chain holds (pass the TxContext on): ${sql.slice(0, 120)}`);
    this.name = 'SecondConnectionError';
  }
}

const guarded = new WeakSet<DataSource>();

/**
 * guardTransactionScope makes every query runner of ds refuse, at once, a query issued while its async call
 * chain holds an open transaction on another runner, instead of letting it wait forever on PGlite's session.
 */
export function guardTransactionScope(ds: DataSource): void {
  if (guarded.has(ds)) return;
  guarded.add(ds);
  const driver = ds.driver;
  const create = driver.createQueryRunner.bind(driver);
  driver.createQueryRunner = (mode: ReplicationMode) => {
    const runner = create(mode);
    const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
    (runner as { query: (...args: unknown[]) => Promise<unknown> }).query = (...args: unknown[]) => {
      const scope = transactionScope.getStore();
      if (scope?.open && scope.runner !== runner) return Promise.reject(new SecondConnectionError(String(args[0])));
      return query(...args);
    };
    return runner;
  };
}

/** What pg's pool says when no connection came free (or could be opened) within its connectionTimeoutMillis. */
const POOL_TIMEOUT = /^(timeout exceeded when trying to connect|Connection terminated due to connection timeout)$/;

/** Isolation levels a use case may ask for. */
export type Isolation = 'READ COMMITTED' | 'REPEATABLE READ';

/**
 * UnitOfWork opens a use case's one transaction at its boundary. A context already inside a unit of work
 * joins it; otherwise a transaction opens, its scope is marked for the guard, and it commits when fn
 * settles (rolls back when fn throws).
 */
export class UnitOfWork {
  constructor(private readonly ds: DataSource) {
    guardTransactionScope(ds);
  }

  run<T>(ctx: RequestContext, fn: (ctx: TxContext) => Promise<T>, isolation: Isolation = 'READ COMMITTED'): Promise<T> {
    if (ctx.tx) return fn(ctx as TxContext);
    return this.transaction(isolation, fn, ctx).catch((err: unknown) => {
      // The pool had no connection free in time (its connectionTimeoutMillis): the node is busy, not broken.
      if (err instanceof Error && POOL_TIMEOUT.test(err.message))
        throw new DomainError('ServerBusy', 'no database connection came free in time; retry after 5 seconds');
      throw err;
    });
  }

  private transaction<T>(isolation: Isolation, fn: (ctx: TxContext) => Promise<T>, ctx: RequestContext): Promise<T> {
    return this.ds.transaction(isolation, (tx) => {
      const scope: TransactionScope = { runner: tx.queryRunner!, open: true };
      return transactionScope.run(scope, async () => {
        try {
          return await fn({ ...ctx, tx });
        } finally {
          // Work started inside but outliving the transaction (a background fetch) is free to query again.
          scope.open = false;
        }
      });
    });
  }
}
