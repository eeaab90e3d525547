import type { PGlite } from '@electric-sql/pglite';

/** One wire-protocol message a socket connection sent, waiting its turn. */
interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (err: unknown) => void;
}

/** Extended-query messages that leave a unit open until the Sync that ends it (Parse, Bind, Describe, Execute, Close, Flush). */
const OPENS_UNIT = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((c) => c.charCodeAt(0)));

/**
 * ProtocolUnitQueue replaces pglite-socket's query queue. PGlite has a single session, so the
 * connections of a pool share one unnamed prepared statement: pglite-socket queues each protocol
 * message on its own, and two connections' Parse/Bind pairs interleave ("bind message supplies 2
 * parameters, but prepared statement requires 1", seen with four concurrent GetUpdateData calls).
 * This queue keeps a connection's whole extended-query unit (up to its Sync) and its whole
 * transaction together, serving other connections only in between.
 */
export class ProtocolUnitQueue {
  private readonly queue: QueuedMessage[] = [];
  private processing = false;
  /** The connection whose unit or transaction is open; only its messages run until it closes. */
  private owner: number | null = null;

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ handlerId, message, onData, resolve, reject });
      void this.processQueue();
    });
  }

  getQueueLength(): number {
    return this.queue.length;
  }

  /** clearQueueForHandler drops a disconnected connection's pending messages. */
  clearQueueForHandler(handlerId: number): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i].handlerId === handlerId) this.queue.splice(i, 1)[0].reject(new Error('connection closed'));
    }
  }

  /** clearTransactionIfNeeded ends what a disconnected connection left open, so the others go on. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId) return;
    if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
    this.owner = null;
    await this.processQueue();
  }

  private async processQueue(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      for (;;) {
        const index = this.owner === null ? (this.queue.length ? 0 : -1) : this.queue.findIndex((m) => m.handlerId === this.owner);
        if (index === -1) return;
        const item = this.queue.splice(index, 1)[0];
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
          item.resolve(bytes);
        } catch (err) {
          item.reject(err);
        }
        this.owner = OPENS_UNIT.has(item.message[0]) || this.db.isInTransaction() ? item.handlerId : null;
      }
    } finally {
      this.processing = false;
    }
  }
}
