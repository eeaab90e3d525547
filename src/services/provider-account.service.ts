import { generateSecret, hashSecret } from '../crypto/secret-hash';
import type { RequestContext, UnitOfWork } from '../db/unit-of-work';
import { DomainError } from '../domain/errors';
import type { SoftwareProviderEntity } from '../entities/software-provider.entity';
import type { PublisherRepository } from '../repositories/publisher.repository';
import type { SoftwareProviderRepository } from '../repositories/software-provider.repository';
import type { CredentialChecker } from './credential-checker';

/** ProviderAccount indicates a software provider's account as the rest of Cascade sees it (never its hash). */
export interface ProviderAccount {
  providerId: number;
  name: string;
  disabled: boolean;
  createdAt: Date;
}

/** NewProviderAccount is an account just added, with the one and only copy of its password. */
export interface NewProviderAccount {
  account: ProviderAccount;
  password: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function toAccount(row: SoftwareProviderEntity): ProviderAccount {
  return { providerId: row.providerId, name: row.name, disabled: row.disabled, createdAt: row.createdAt };
}

/** ProviderAccountService indicates the use cases on software-provider accounts: add, list, disable, grant, authenticate. */
export class ProviderAccountService {
  // Hash checked when the name is unknown, so a wrong name costs as long as a wrong password.
  private decoy: Promise<string> | undefined;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly providers: SoftwareProviderRepository,
    private readonly publishers: PublisherRepository,
    private readonly credentials: CredentialChecker,
  ) {}

  /** add creates an account with a generated password, returned here once and stored only as a hash. */
  async add(ctx: RequestContext, name: string): Promise<NewProviderAccount> {
    if (!NAME.test(name)) {
      throw new DomainError(
        'InvalidParameters',
        `invalid provider name "${name}": use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit`,
      );
    }
    const password = generateSecret();
    const secretHash = await hashSecret(password);
    const row = await this.uow.run(ctx, (tx) => this.providers.insert(tx, name, secretHash));
    if (!row) throw new DomainError('Conflict', `a software provider named "${name}" already exists`);
    return { account: toAccount(row), password };
  }

  /** list returns every account, oldest first. */
  async list(ctx: RequestContext): Promise<ProviderAccount[]> {
    return (await this.uow.run(ctx, (tx) => this.providers.list(tx))).map(toAccount);
  }

  /** disable stops an account from authenticating; its history stays. */
  async disable(ctx: RequestContext, name: string): Promise<void> {
    if (!(await this.uow.run(ctx, (tx) => this.providers.setDisabled(tx, name, true)))) {
      throw new DomainError('NotFound', `no software provider named "${name}"`);
    }
  }

  /**
   * grantCompany lets a provider publish into the products of every company with this title and publish or expire
   * their updates, whoever published them (revoke: take that back). Returns how many companies the title names.
   */
  async grantCompany(ctx: RequestContext, name: string, companyTitle: string, granted = true): Promise<number> {
    return this.uow.run(ctx, async (tx) => {
      if (!(await this.providers.findByName(tx, name))) throw new DomainError('NotFound', `no software provider named "${name}"`);
      const companies = await this.publishers.companiesTitled(tx, companyTitle);
      if (companies.length === 0) throw new DomainError('NotFound', `no company titled "${companyTitle}"`);
      for (const c of companies) {
        if (granted) await this.publishers.grant(tx, name, c.companyId);
        else await this.publishers.revoke(tx, name, c.companyId);
      }
      return companies.length;
    });
  }

  /**
   * authenticate returns the enabled account whose name and password match, else undefined; `source` (the
   * caller's address) counts toward the failure limits, which answer TooManyRequests once reached.
   */
  async authenticate(ctx: RequestContext, name: string, password: string, source?: string): Promise<ProviderAccount | undefined> {
    const row = NAME.test(name) ? await this.uow.run(ctx, (tx) => this.providers.findByName(tx, name)) : undefined;
    this.decoy ??= hashSecret(generateSecret());
    const stored = row?.secretHash ?? (await this.decoy);
    const matches = await this.credentials.verify({ account: `provider:${name}`, source, secret: password, stored });
    return row && matches && !row.disabled ? toAccount(row) : undefined;
  }
}
