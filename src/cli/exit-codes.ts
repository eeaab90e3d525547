import { errorChain } from '../lib/error-chain';
import { ConfigError } from '../config/config';
import { SoapCallError } from '../clients/soap-client';
import { DataFolderBusyError } from '../db/data-folder-lock';
import { DatabaseUnreachableError } from '../db/database';
import { DomainError } from '../domain/errors';

/** ExitCode is what `cascade` exits with; the README's `cascade` section documents them. */
export const ExitCode = {
  /** The command did what it was asked. */
  Ok: 0,
  /** A fault inside Cascade (here or on the node called): a bug or a broken installation. */
  Internal: 1,
  /** The command line or the environment is wrong: unknown option, missing or malformed value; nothing was done. */
  Usage: 2,
  /** The node or database refused the request: a fault such as InvalidParameters, NotFound, Unauthorized, Conflict. */
  Refused: 3,
  /** A node or database did not answer: connection refused, timed out, unknown host, or a 502/503/504 on the way. */
  Unreachable: 4,
} as const;

/** UsageError indicates a command line the command cannot run as given. */
export class UsageError extends Error {}

// Error codes of Node's sockets and undici that mean "no answer", not "a wrong answer".
const NO_ANSWER = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'ECONNABORTED',
]);

/** exitCodeOf maps what a command threw to its exit code. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError || err instanceof ConfigError) return ExitCode.Usage;
  if (err instanceof DatabaseUnreachableError || err instanceof DataFolderBusyError) return ExitCode.Unreachable;
  if (err instanceof DomainError) return ofErrorCode(err.code);
  if (err instanceof SoapCallError) {
    if (err.errorCode) return ofErrorCode(err.errorCode);
    const status = err.httpStatus;
    if (status !== undefined)
      return status >= 502 && status <= 504 ? ExitCode.Unreachable : status >= 500 ? ExitCode.Internal : ExitCode.Refused;
  }
  return noAnswer(err) ? ExitCode.Unreachable : ExitCode.Internal;
}

function ofErrorCode(code: string): number {
  if (code === 'InternalServerError') return ExitCode.Internal;
  if (code === 'UpstreamUnavailable') return ExitCode.Unreachable;
  return ExitCode.Refused;
}

/** noAnswer looks through an error and its causes for a socket failure or a timeout. */
function noAnswer(err: unknown): boolean {
  for (const { code, name } of errorChain(err, 5)) {
    if (typeof code === 'string' && NO_ANSWER.has(code)) return true;
    if (name === 'TimeoutError') return true;
  }
  return false;
}
