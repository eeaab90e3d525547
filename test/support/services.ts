import type { DataSource } from 'typeorm';
import { buildServices, type Services } from '../../src/composition';
import { loadConfig } from '../../src/config/config';
import { requestContext, UnitOfWork, type RequestContext, type TxContext } from '../../src/db/unit-of-work';
import { createLogger } from '../../src/lib/logger';
import type { PublishContext } from '../../src/services/publishing.service';
import type { Downstream, DownstreamContext, PayloadWarmer } from '../../src/services/server-sync.service';
import { tempDir } from './node-process';

/** testServices builds a root node's services on ds through the same factory as src/main.ts. */
export function testServices(
  ds: DataSource,
  opts: { clock?: () => Date; publicUrl?: string; warmer?: PayloadWarmer } = {},
): Promise<Services> {
  return buildServices(
    ds,
    {
      upstream: undefined,
      contentPolicy: 'on-demand',
      contentDir: tempDir('casc-content-'),
      databaseUrl: 'postgres://test',
      dataDir: tempDir('casc-data-'),
      publicUrl: opts.publicUrl ?? 'http://parent:8530',
      uploadMaxBytes: 1 << 30,
      cookieLifetimeMinutes: 240,
      credentials: loadConfig({}).credentials,
    },
    createLogger('silent'),
    { clock: opts.clock, warmer: opts.warmer },
  );
}

/** adminContext is the context of an administrator's command. */
export const adminContext = (): RequestContext => requestContext({ kind: 'admin' });

/** providerContext is the context of a software provider's request. */
export function providerContext(providerName: string): PublishContext {
  const actor = { kind: 'software-provider' as const, providerName };
  return { ...requestContext(actor), actor };
}

/** inTransaction runs repository calls of a test in one unit of work on ds. */
export function inTransaction<T>(ds: DataSource, fn: (tx: TxContext) => Promise<T>): Promise<T> {
  return new UnitOfWork(ds).run(adminContext(), fn);
}

/** downstreamContext is the context of a request from a downstream server whose Cookie was opened. */
export function downstreamContext(downstream: Downstream): DownstreamContext {
  return { ...requestContext({ kind: 'downstream-server', serverId: downstream.serverId }), downstream };
}
