import { CategoryEntity } from './category.entity';
import { ChangeLogEntity } from './change-log.entity';
import { DistributionRuleEntity } from './distribution-rule.entity';
import { DownstreamServerEntity } from './downstream-server.entity';
import { NodeSettingEntity } from './node-setting.entity';
import { ProviderGrantEntity } from './provider-grant.entity';
import { RevisionCategoryEntity } from './revision-category.entity';
import { RevisionFileEntity } from './revision-file.entity';
import { RevisionRelationshipEntity } from './revision-relationship.entity';
import { SoftwareProviderEntity } from './software-provider.entity';
import { SyncRunEntity } from './sync-run.entity';
import { UpdateFileEntity } from './update-file.entity';
import { UpdateRevisionEntity } from './update-revision.entity';
import { UpdateEntity } from './update.entity';
import { UpstreamSubscriptionEntity } from './upstream-subscription.entity';

/** Every entity of the schema, in one list for the DataSource. */
export const ALL_ENTITIES = [
  CategoryEntity,
  UpdateEntity,
  UpdateRevisionEntity,
  RevisionCategoryEntity,
  RevisionRelationshipEntity,
  UpdateFileEntity,
  RevisionFileEntity,
  ChangeLogEntity,
  SoftwareProviderEntity,
  ProviderGrantEntity,
  NodeSettingEntity,
  DownstreamServerEntity,
  DistributionRuleEntity,
  UpstreamSubscriptionEntity,
  SyncRunEntity,
];

export {
  CategoryEntity,
  ChangeLogEntity,
  DistributionRuleEntity,
  DownstreamServerEntity,
  NodeSettingEntity,
  ProviderGrantEntity,
  RevisionCategoryEntity,
  RevisionFileEntity,
  RevisionRelationshipEntity,
  SoftwareProviderEntity,
  UpdateEntity,
  UpdateFileEntity,
  UpdateRevisionEntity,
  SyncRunEntity,
  UpstreamSubscriptionEntity,
};
