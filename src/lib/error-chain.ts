/** An error or one of its causes, as an object whose fields (code, name, message, …) may be read. */
export type ChainedError = Record<string, unknown>;

/**
 * errorChain yields an error and the errors behind it, at most `maxDepth` of them: by default each one's `cause`;
 * `next` picks another link (TypeORM's driverError, say). Non-objects end the chain.
 */
export function* errorChain(err: unknown, maxDepth: number, next: (e: ChainedError) => unknown = (e) => e.cause): Generator<ChainedError> {
  let e = err;
  for (let depth = 0; e !== null && typeof e === 'object' && depth < maxDepth; depth++) {
    yield e as ChainedError;
    e = next(e as ChainedError);
  }
}
