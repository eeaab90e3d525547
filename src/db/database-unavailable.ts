import { errorChain } from '../lib/error-chain';
import { DatabaseUnreachableError } from './database';

// SQLSTATEs that mean "the database cannot serve now", not "this query is wrong": connection exceptions (08xxx),
// shutdown or crash of the server (57P01-57P03), too many connections, and a database dropped or renamed away.
const UNAVAILABLE_STATES = /^(08...|57P0[123]|53300|3D000)$/;
// Node socket codes and pg messages of a connection that is gone or never came.
const NO_CONNECTION = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
const GONE_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|is not currently accepting connections/i;

/**
 * isDatabaseUnavailable indicates an error that says the database is gone or refusing connections (a server
 * fault worth retrying), as opposed to a failed query. It looks through TypeORM's wrapper and `cause`.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (const e of errorChain(err, 4, (link) => link.driverError ?? link.cause)) {
    if (e instanceof DatabaseUnreachableError) return true;
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code && (UNAVAILABLE_STATES.test(code) || NO_CONNECTION.has(code))) return true;
    if (typeof e.message === 'string' && GONE_MESSAGE.test(e.message)) return true;
  }
  return false;
}
