import type { TxContext } from '../db/unit-of-work';
import { SoftwareProviderEntity } from '../entities/software-provider.entity';

/** SoftwareProviderRepository indicates the queries on software_provider, the accounts providers upload with. */
export class SoftwareProviderRepository {
  private rows(ctx: TxContext) {
    return ctx.tx.getRepository(SoftwareProviderEntity);
  }

  /** insert adds an account; undefined when the name is taken (the unique constraint decides, so races are safe). */
  async insert(ctx: TxContext, name: string, secretHash: string): Promise<SoftwareProviderEntity | undefined> {
    const result = await this.rows(ctx).createQueryBuilder().insert().values({ name, secretHash }).orIgnore().returning('*').execute();
    const raw = (result.raw as Record<string, unknown>[])[0];
    return raw ? this.findByName(ctx, name) : undefined;
  }

  /** findByName returns the account with exactly this name. */
  async findByName(ctx: TxContext, name: string): Promise<SoftwareProviderEntity | undefined> {
    return (await this.rows(ctx).findOneBy({ name })) ?? undefined;
  }

  /** list returns every account, oldest first. */
  list(ctx: TxContext): Promise<SoftwareProviderEntity[]> {
    return this.rows(ctx).find({ order: { providerId: 'ASC' } });
  }

  /** setDisabled flips an account's disabled flag; false when no account has that name. */
  async setDisabled(ctx: TxContext, name: string, disabled: boolean): Promise<boolean> {
    const result = await this.rows(ctx).update({ name }, { disabled });
    return (result.affected ?? 0) > 0;
  }
}
