import type { Request, RequestHandler, Response } from 'express';
import { DomainError } from '../domain/errors';
import type { Logger } from '../lib/logger';
import type { ServerSyncMetrics } from '../lib/metrics';
import { Semaphore, type SemaphoreFullError } from '../lib/semaphore';
import { faultEnvelope, toSoapFault } from './faults';

/** The ServerSync operations whose work grows with the catalog: each holds a database connection and builds a large answer. */
const HEAVY = new Set(['GetRevisionIdList', 'GetUpdateData']);
/** The ServerSync operations that cost little; any other SOAPAction (or none) is treated as heavy. */
const LIGHT = new Set(['GetAuthConfig', 'GetCookie', 'GetConfigData', 'GetCatalog', 'DownloadFiles']);
/** The longest a request waits in line for a turn before it is told ServerBusy. */
const QUEUE_WAIT_MS = 10_000;
/** At most one refusal log line per this period; the next one says how many were refused in between. */
const LOG_EVERY_MS = 10_000;
const MAX_HINT_SECONDS = 60;

/** How much heavy ServerSync work a parent runs at once, and how many requests may wait for a turn. */
export interface ServerSyncGateSettings {
  maxConcurrent: number;
  maxQueued: number;
}

/**
 * ServerSyncGate bounds the work a parent takes on for its children: at most maxConcurrent heavy
 * ServerSync requests run, maxQueued wait (each up to QUEUE_WAIT_MS), and the rest are answered at once,
 * before their body is read, with WSUS's ServerBusy fault and a Retry-After estimated from how long
 * recent heavy requests took. Each refusal is counted in /metrics and logged (rate-limited).
 */
export class ServerSyncGate {
  private readonly turns: Semaphore;
  /** A moving average of heavy requests' durations, for the wait suggested to a refused child. */
  private averageMs = 500;
  private lastLog = 0;
  private unlogged = 0;

  constructor(
    private readonly settings: ServerSyncGateSettings,
    private readonly metrics: ServerSyncMetrics,
    private readonly log: Logger,
  ) {
    this.turns = new Semaphore(settings.maxConcurrent, settings.maxQueued, QUEUE_WAIT_MS, (running, waiting) =>
      metrics.load(running, waiting),
    );
    metrics.load(0, 0);
  }

  /** admit is the middleware mounted before the ServerSync body parser; it names the operation by SOAPAction. */
  readonly admit: RequestHandler = (req, res, next) => {
    const operation = soapActionOperation(req.get('SOAPAction'));
    if (LIGHT.has(operation)) return next();
    const label = HEAVY.has(operation) ? operation : 'other';
    // A child that hangs up while waiting leaves the line.
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    void this.turns.acquire(gone.signal).then(
      (release) => this.run(res, next, release),
      (err: SemaphoreFullError) => this.refuse(req, res, label, err.reason === 'full' ? 'limit' : 'queue-timeout'),
    );
  };

  /** run holds a turn until the response is done (or the connection gone), then hands it to the next in line. */
  private run(res: Response, next: () => void, release: () => void): void {
    const started = Date.now();
    const done = () => {
      this.averageMs = 0.8 * this.averageMs + 0.2 * (Date.now() - started);
      release();
    };
    // A child can hang up between its turn being granted and this call: its 'close' has then been heard.
    if (res.closed) done();
    else {
      res.once('close', done);
      next();
    }
  }

  /** retryAfterSeconds estimates when a turn will be free: the work in line spread over the turns, at least a second. */
  private retryAfterSeconds(): number {
    const ahead = this.turns.running + this.turns.queued;
    const seconds = Math.ceil((this.averageMs * ahead) / this.settings.maxConcurrent / 1000);
    return Math.min(MAX_HINT_SECONDS, Math.max(1, seconds));
  }

  private refuse(req: Request, res: Response, operation: string, reason: 'limit' | 'queue-timeout'): void {
    const seconds = this.retryAfterSeconds();
    this.metrics.refused(operation, reason);
    const running = `${this.turns.running} of ${this.settings.maxConcurrent} sync requests from downstream servers running, ${this.turns.queued} waiting`;
    this.logRefusal({
      operation,
      reason,
      client: req.socket.remoteAddress,
      inFlight: this.turns.running,
      queued: this.turns.queued,
      retryAfterSeconds: seconds,
    });
    const fault = toSoapFault(
      new DomainError('ServerBusy', `The server is busy (${running}); retry after ${seconds} seconds.`),
      operation,
      this.log,
    );
    res.status(500).set('Retry-After', String(seconds)).set('Content-Type', 'text/xml; charset=utf-8').send(faultEnvelope(fault));
  }

  private logRefusal(fields: Record<string, unknown>): void {
    const now = Date.now();
    if (now - this.lastLog < LOG_EVERY_MS) {
      this.unlogged++;
      return;
    }
    this.log.warn({ ...fields, refusedSinceLastLine: this.unlogged }, 'ServerSync request refused: ServerBusy');
    this.lastLog = now;
    this.unlogged = 0;
  }
}

/** soapActionOperation reads the operation out of a SOAPAction header ("http://…/SoftwareDistribution/GetUpdateData"). */
export function soapActionOperation(header: string | undefined): string {
  const action = (header ?? '').trim().replace(/^"|"$/g, '');
  return action.slice(action.lastIndexOf('/') + 1);
}
