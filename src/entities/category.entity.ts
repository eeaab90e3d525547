import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { CategoryType } from '../domain/update-kinds';

/**
 * CategoryEntity is the projection of a category update (UpdateType=Category): a company, product
 * family, product or classification. Its id is the category update's UpdateID. Upstream-owned.
 */
@Entity({ name: 'category' })
export class CategoryEntity {
  @PrimaryColumn({ name: 'category_id', type: 'uuid' })
  categoryId!: string;

  @Column({ name: 'category_type', type: 'varchar', length: 32 })
  categoryType!: CategoryType;

  @Column({ name: 'title', type: 'varchar', length: 512 })
  title!: string;

  @Index('ix_category_parent')
  @Column({ name: 'parent_category_id', type: 'uuid', nullable: true })
  parentCategoryId!: string | null;
}
