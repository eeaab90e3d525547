import type { DataSource, Repository } from 'typeorm';
import { SoftwareProviderEntity } from '../entities/software-provider.entity';

/** SoftwareProviderRepository indicates the queries on software_provider, the accounts providers upload with. */
export class SoftwareProviderRepository {
  private readonly rows: Repository<SoftwareProviderEntity>;

  constructor(dataSource: DataSource) {
    this.rows = dataSource.getRepository(SoftwareProviderEntity);
  }

  /** insert adds an account; undefined when the name is taken (the unique constraint decides, so races are safe). */
  async insert(name: string, secretHash: string): Promise<SoftwareProviderEntity | undefined> {
    const result = await this.rows.createQueryBuilder().insert()
      .values({ name, secretHash })
      .orIgnore()
      .returning('*')
      .execute();
    const raw = (result.raw as Record<string, unknown>[])[0];
    return raw ? this.findByName(name) : undefined;
  }

  /** findByName returns the account with exactly this name. */
  async findByName(name: string): Promise<SoftwareProviderEntity | undefined> {
    return (await this.rows.findOneBy({ name })) ?? undefined;
  }

  /** list returns every account, oldest first. */
  list(): Promise<SoftwareProviderEntity[]> {
    return this.rows.find({ order: { providerId: 'ASC' } });
  }

  /** setDisabled flips an account's disabled flag; false when no account has that name. */
  async setDisabled(name: string, disabled: boolean): Promise<boolean> {
    const result = await this.rows.update({ name }, { disabled });
    return (result.affected ?? 0) > 0;
  }
}
