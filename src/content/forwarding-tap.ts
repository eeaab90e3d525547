import { PassThrough, Transform, type TransformCallback } from 'node:stream';
import { DomainError } from '../domain/errors';
import { CHUNK_BYTES } from './content-store';

// The fetch may run this far ahead of a live requester before it waits for it.
const LIVE_BUFFER_BYTES = 4 * CHUNK_BYTES;

/**
 * LiveForward indicates the requester a payload streams to while it is still being fetched. It always holds
 * the latest chunk back, so until release() the requester lacks at least the payload's final chunk and can
 * never hold a complete unverified file. A requester that goes away is dropped quietly; one that takes
 * nothing for stallMs is cut off, so it cannot stall the fetch that others wait for.
 */
export class LiveForward {
  /** What the requester reads. */
  readonly stream = new PassThrough({ highWaterMark: LIVE_BUFFER_BYTES });
  private held: Buffer | undefined;
  private released = false;

  constructor(private readonly stallMs: number) {
    // The requester learns of a failure from its pipeline (or, before streaming began, from read()'s rejection);
    // this listener only keeps an abort nobody reads yet from being an uncaught 'error' event.
    this.stream.on('error', () => undefined);
  }

  /** send passes the chunk held so far on and holds this one; it resolves when the requester can take more, or is gone. */
  async send(chunk: Buffer): Promise<void> {
    const previous = this.held;
    this.held = chunk;
    if (!previous || this.stream.destroyed || this.stream.write(previous)) return;
    if (!(await drained(this.stream, this.stallMs))) {
      this.abort(new DomainError('ServerBusy', `the requester took no data for ${this.stallMs} ms`));
    }
  }

  /** release sends the held final chunk and ends the response: call it only once the payload is verified. */
  release(): void {
    this.released = true;
    if (!this.stream.destroyed) this.stream.end(this.held);
  }

  /** abort cuts the requester off (its connection is destroyed, so it sees a truncated body); after release() it does nothing. */
  abort(err: Error): void {
    if (!this.released && !this.stream.destroyed) this.stream.destroy(err);
  }
}

function drained(stream: PassThrough, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    stream.on('drain', onDrain);
    stream.on('close', onClose);
  });
}

/**
 * ForwardingTap indicates the pipe between a parent's response body and the content store: it gathers the
 * body into 1 MiB chunks (hashing and writing go faster in large chunks), refuses more than the expected
 * size, reports the bytes it sees, and copies each chunk to a live requester when there is one. Backpressure
 * from the store and from the requester both slow the parent's body down.
 */
export class ForwardingTap extends Transform {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private received = 0;

  constructor(
    private readonly expectedSize: number,
    private readonly live: LiveForward | undefined,
    private readonly onBytes: (bytes: number) => void,
  ) {
    super({ highWaterMark: CHUNK_BYTES });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.received += chunk.length;
    if (this.received > this.expectedSize) {
      done(new DomainError('PayloadTooLarge', `the parent sent more than the expected ${this.expectedSize} bytes`));
      return;
    }
    this.onBytes(chunk.length);
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < CHUNK_BYTES) {
      done();
      return;
    }
    this.emitPending().then(() => done(), done);
  }

  override _flush(done: TransformCallback): void {
    if (this.pendingBytes === 0) {
      done();
      return;
    }
    this.emitPending().then(() => done(), done);
  }

  private async emitPending(): Promise<void> {
    const chunk = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.push(chunk);
    await this.live?.send(chunk);
  }
}
