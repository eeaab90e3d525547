import type { DataSource } from 'typeorm';
import type { AvailabilityService } from '../../src/services/availability.service';
import type { DownstreamServerService } from '../../src/services/downstream-server.service';
import { testServices } from './services';

/** buildDownstreamServices builds the downstream services on a DataSource through the factory src/main.ts uses. */
export async function buildDownstreamServices(
  ds: DataSource,
): Promise<{ servers: DownstreamServerService; availability: AvailabilityService }> {
  const s = await testServices(ds);
  return { servers: s.downstreamServers, availability: s.availability };
}
