/**
 * ErrorCode names a failure as WSUS does in a SOAP fault's detail (MS-WSUSSS 2.2.9), plus the HTTP-only
 * codes Cascade's own routes use. soap/faults.ts and http/errors.ts are the only translators.
 */
export type ErrorCode =
  | 'InvalidParameters'
  | 'InvalidCookie'
  | 'InvalidAuthorizationCookie'
  | 'InternalServerError'
  | 'ServerChanged'
  | 'FileDigestsMissing'
  | 'IncompatibleProtocolVersion'
  | 'ServerBusy'
  | 'UpstreamUnavailable'
  | 'Unauthorized'
  | 'NotFound'
  | 'PayloadTooLarge'
  | 'TooManyRequests'
  | 'Conflict';

/** DomainError indicates an expected failure with a code a caller can act on, and when to retry if it is worth it. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** invalidParameters is the common "the request itself is wrong" failure. */
export function invalidParameters(message: string): DomainError {
  return new DomainError('InvalidParameters', message);
}
