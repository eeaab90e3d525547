import type { MigrationInterface } from 'typeorm';
import { CreateUpdateStore1764043200000 } from './1764043200000-CreateUpdateStore';
import { AddDownstreamServers1764129600000 } from './1764129600000-AddDownstreamServers';
import { AddUpstreamSync1764216000000 } from './1764216000000-AddUpstreamSync';
import { AddUpdateOrigin1796066000000 } from './1796066000000-AddUpdateOrigin';
import { MakeFileSha256Optional1796066100000 } from './1796066100000-MakeFileSha256Optional';
import { RenameDownstreamGroupToChannel1796066200000 } from './1796066200000-RenameDownstreamGroupToChannel';
import { AddUpdatePublisher1796066300000 } from './1796066300000-AddUpdatePublisher';

/** Every migration, oldest first; the DataSource loads this list instead of a glob. */
export const ALL_MIGRATIONS: Array<new () => MigrationInterface> = [
  CreateUpdateStore1764043200000,
  AddDownstreamServers1764129600000,
  AddUpstreamSync1764216000000,
  AddUpdateOrigin1796066000000,
  MakeFileSha256Optional1796066100000,
  RenameDownstreamGroupToChannel1796066200000,
  AddUpdatePublisher1796066300000,
];
