import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { UpstreamPayload } from '../clients/upstream-content-client';
import { normalizeExtension, type ByteRange, type ContentStore } from '../content/content-store';
import { ForwardingTap, LiveForward } from '../content/forwarding-tap';
import { DomainError } from '../domain/errors';
import type { Logger } from '../lib/logger';
import { requestContext, type RequestContext, type UnitOfWork } from '../db/unit-of-work';
import type { UpdateFileRepository } from '../repositories/update-file.repository';
import { ContentService, type Payload, type PayloadSource } from './content.service';
import type { PayloadWarmer } from './server-sync.service';

/** UpstreamPayloads indicates where missing payloads come from: the parent node (UpstreamContentClient). */
export interface UpstreamPayloads {
  openPayload(sha1: string, extension: string): Promise<UpstreamPayload>;
}

/** FetchResult names how one upstream fetch ended, as the metrics count it. */
export type FetchResult = 'ok' | 'failed' | 'corrupt';

/** UpstreamFetchMetrics indicates where upstream fetches are counted (prom-client counters in production). */
export interface UpstreamFetchMetrics {
  fetchEnded(result: FetchResult): void;
  bytesReceived(bytes: number): void;
}

/** PrefetchResult counts what prefetch did: kept by a fetch, failed, already held, or named by no update_file row. */
export interface PrefetchResult {
  fetched: number;
  failed: number;
  held: number;
  unknown: number;
}

/** JustInTimeSettings tunes the source; stallMs is how long a live requester may take nothing before it is cut off. */
export interface JustInTimeSettings {
  stallMs: number;
  warmConcurrency: number;
}

interface KnownFile {
  sha1: string;
  /** Verified too when the metadata names it (a File without AdditionalDigest has none). */
  sha256?: string;
  size: number;
  extension: string;
}

interface Flight {
  /** Settles once the parent answered (the live requester can read) or the payload proved to be held already. */
  started: Promise<'streaming' | 'held'>;
  /** Settles once the payload is kept and verified, or the fetch failed (DomainError UpstreamUnavailable). */
  kept: Promise<void>;
}

/**
 * JustInTimePayloadSource indicates a child node's payloads: those in its store are served from there; one
 * that its metadata names (an update_file row) but it does not hold is fetched from the parent while the
 * first requester streams it, verified against both digests and the size before it is kept, and served from
 * the store afterwards. Concurrent requests for one payload share one fetch; digests no row names stay 404.
 */
export class JustInTimePayloadSource implements PayloadSource, PayloadWarmer {
  private readonly inFlight = new Map<string, Flight>();
  private readonly local: ContentService;
  private readonly metrics: UpstreamFetchMetrics;
  private readonly log: Logger;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly store: ContentStore,
    private readonly files: UpdateFileRepository,
    private readonly upstream: UpstreamPayloads,
    observers: { metrics: UpstreamFetchMetrics; log: Logger },
    private readonly settings: JustInTimeSettings,
  ) {
    this.local = new ContentService(store, uow, files);
    this.metrics = observers.metrics;
    this.log = observers.log;
  }

  /** open returns a held payload, or a known one to be fetched when read; NotFound when no update_file row names it. */
  async open(ctx: RequestContext, sha1: string, extension: string): Promise<Payload> {
    const row = await this.uow.run(ctx, (tx) => this.files.findBySha1(tx, sha1));
    if (!row || normalizeExtension(row.extension) !== extension) {
      throw new DomainError('NotFound', `this node does not hold payload ${sha1}${extension} and no update here names it`);
    }
    const held = await this.local.held(sha1, extension);
    if (held) return held;
    const file = { sha1, sha256: row.sha256?.trim().toLowerCase(), size: Number(row.size), extension };
    return { sha1, size: file.size, modifiedAt: row.createdAt, read: (range) => this.read(file, range) };
  }

  /**
   * warm starts background fetches of the known payloads this node does not hold (DownloadFiles from a child)
   * and returns at once; failures are logged by the fetches themselves.
   */
  async warm(ctx: RequestContext, sha1s: string[]): Promise<void> {
    this.prefetch(ctx, sha1s, { concurrency: this.settings.warmConcurrency }).catch((err) =>
      this.log.error({ err }, 'payload warm-up failed'),
    );
  }

  /** prefetch fetches the known payloads this node does not hold, at most `concurrency` at a time, and counts the outcomes; it never throws for one payload. */
  async prefetch(ctx: RequestContext, sha1s: string[], opts: { concurrency: number }): Promise<PrefetchResult> {
    const wanted = [...new Set(sha1s.map((s) => s.toLowerCase()))];
    const rows = await this.uow.run(ctx, (tx) => this.files.findMany(tx, wanted));
    const result: PrefetchResult = { fetched: 0, failed: 0, held: 0, unknown: wanted.length - rows.length };
    const queue = rows.map((r) => ({
      sha1: r.sha1,
      sha256: r.sha256?.trim().toLowerCase(),
      size: Number(r.size),
      extension: normalizeExtension(r.extension),
    }));
    const worker = async () => {
      for (let file = queue.shift(); file; file = queue.shift()) {
        if (!this.inFlight.has(file.sha1) && (await this.store.has(file.sha1, file.extension))) {
          result.held++;
          continue;
        }
        try {
          await this.flightFor(file).kept;
          result.fetched++;
        } catch {
          result.failed++;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, queue.length)) }, worker));
    return result;
  }

  /**
   * read serves a payload not held when open() ran. The requester that starts the fetch streams it live;
   * everyone else, and every range request, waits until it is kept and reads the store. Rejects with
   * UpstreamUnavailable before any byte is sent when the parent cannot deliver.
   */
  private async read(file: KnownFile, range: ByteRange | undefined): Promise<Readable> {
    const current = this.inFlight.get(file.sha1);
    if (range || current) {
      await (current ?? this.flightFor(file)).kept;
      return this.store.createReadStream(file.sha1, file.extension, range);
    }
    const live = new LiveForward(this.settings.stallMs);
    const started = await this.flightFor(file, live).started;
    return started === 'streaming' ? live.stream : this.store.createReadStream(file.sha1, file.extension);
  }

  private flightFor(file: KnownFile, live?: LiveForward): Flight {
    const current = this.inFlight.get(file.sha1);
    if (current) return current;
    let markStarted!: (how: 'streaming' | 'held') => void;
    const started = new Promise<'streaming' | 'held'>((resolve) => {
      markStarted = resolve;
    });
    const kept = this.fetch(file, live, markStarted).finally(() => this.inFlight.delete(file.sha1));
    // started also settles when the fetch fails before the parent answered.
    const flight: Flight = { started: Promise.race([started, kept.then(() => 'held' as const)]), kept };
    flight.started.catch(() => undefined);
    kept.catch(() => undefined);
    this.inFlight.set(file.sha1, flight);
    return flight;
  }

  private async fetch(file: KnownFile, live: LiveForward | undefined, started: (how: 'streaming' | 'held') => void): Promise<void> {
    if (await this.store.has(file.sha1, file.extension)) {
      started('held');
      await this.recordStored(file);
      return;
    }
    let result: FetchResult = 'failed';
    try {
      const answer = await this.upstream.openPayload(file.sha1, file.extension);
      if (answer.declaredSize !== undefined && answer.declaredSize !== file.size) {
        answer.body.destroy();
        result = 'corrupt';
        throw new DomainError(
          'UpstreamUnavailable',
          `the parent announced ${answer.declaredSize} bytes for ${file.sha1}, expected ${file.size}`,
        );
      }
      started('streaming');
      await this.keep(file, answer.body, live).catch((err) => {
        if (err instanceof DomainError && (err.code === 'InvalidParameters' || err.code === 'PayloadTooLarge')) result = 'corrupt';
        throw err;
      });
      result = 'ok';
    } catch (err) {
      // Requesters get a plain message; the parent's address and the details go to the log only.
      const failure = new DomainError(
        'UpstreamUnavailable',
        result === 'corrupt'
          ? `payload ${file.sha1} from the parent failed verification and was discarded; try again later`
          : `payload ${file.sha1} is not on this node yet and its parent could not deliver it; try again later`,
      );
      live?.abort(failure);
      this.log.warn({ sha1: file.sha1, result, reason: (err as Error).message }, 'upstream payload fetch failed; nothing kept');
      throw failure;
    } finally {
      this.metrics.fetchEnded(result);
    }
    await this.recordStored(file);
  }

  /**
   * keep streams the parent's body through the tap into the store, which verifies it against the row before
   * keeping it; the live requester gets its final chunk the moment both digests and the size have matched.
   */
  private async keep(file: KnownFile, body: Readable, live: LiveForward | undefined): Promise<void> {
    const tap = new ForwardingTap(file.size, live, (n) => this.metrics.bytesReceived(n));
    // A body error destroys the tap, which makes store() reject; store() itself never destroys its source.
    pipeline(body, tap).catch(() => undefined);
    try {
      await this.store.store(tap, {
        maxBytes: file.size,
        extension: file.extension,
        expect: { sha1: file.sha1, sha256: file.sha256, size: file.size },
        onVerified: () => live?.release(),
      });
    } catch (err) {
      body.destroy();
      tap.destroy();
      throw err;
    }
  }

  private async recordStored(file: KnownFile): Promise<void> {
    try {
      // A fetch is shared by every requester waiting for it: the node itself records the outcome.
      await this.uow.run(requestContext({ kind: 'node' }), (tx) => this.files.recordStored(tx, file));
    } catch (err) {
      // The payload is kept and served either way; only update_file.stored_at stays unset (logged here).
      this.log.error({ err, sha1: file.sha1 }, 'payload kept but update_file.stored_at not recorded');
    }
  }
}
