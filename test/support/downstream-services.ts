import type { DataSource } from 'typeorm';
import { AvailabilityRepository } from '../../src/repositories/availability.repository';
import { DistributionRuleRepository } from '../../src/repositories/distribution-rule.repository';
import { DownstreamServerRepository } from '../../src/repositories/downstream-server.repository';
import { AvailabilityService } from '../../src/services/availability.service';
import { DownstreamServerService } from '../../src/services/downstream-server.service';

/** buildDownstreamServices wires the downstream services on a DataSource the way src/main.ts does. */
export function buildDownstreamServices(ds: DataSource): { servers: DownstreamServerService; availability: AvailabilityService } {
  const serverRepo = new DownstreamServerRepository(ds.manager);
  const ruleRepo = new DistributionRuleRepository(ds.manager);
  const availability = new AvailabilityService(ds, ruleRepo, new AvailabilityRepository(ds.manager), serverRepo);
  return { servers: new DownstreamServerService(ds, serverRepo, ruleRepo, availability), availability };
}
