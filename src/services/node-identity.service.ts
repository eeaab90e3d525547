import { randomBytes, randomUUID } from 'node:crypto';
import type { RequestContext, TxContext, UnitOfWork } from '../db/unit-of-work';
import { isUuid } from '../lib/uuid';
import type { NodeSettingRepository } from '../repositories/node-setting.repository';

/** NodeIdentity indicates who this node is to its children: the issuer id in its cookies and the key sealing them. */
export interface NodeIdentity {
  nodeId: string;
  cookieKey: Buffer;
}

const NODE_ID = 'node_id';
const COOKIE_KEY = 'cookie_key';
const PUBLIC_URL = 'public_url';

/**
 * NodeIdentityService creates the node's identity on first use and reads it afterwards. Creation is
 * insert-if-absent then read, so every process sharing the database ends up with the same values.
 */
export class NodeIdentityService {
  private identity?: Promise<NodeIdentity>;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly settings: NodeSettingRepository,
  ) {}

  /** getNodeIdentity returns the node id and the 32-byte cookie key, read once per process. */
  getNodeIdentity(ctx: RequestContext): Promise<NodeIdentity> {
    this.identity ??= this.uow
      .run(ctx, (tx) => this.load(tx))
      .catch((err) => {
        this.identity = undefined;
        throw err;
      });
    return this.identity;
  }

  /** recordPublicUrl stores the URL the node serves at, for commands run from a shell that lacks the node's settings. */
  async recordPublicUrl(ctx: RequestContext, url: string): Promise<void> {
    await this.uow.run(ctx, (tx) => this.settings.set(tx, PUBLIC_URL, url));
  }

  /** publicUrl returns the URL the node last started with; undefined if it never started. */
  publicUrl(ctx: RequestContext): Promise<string | undefined> {
    return this.uow.run(ctx, (tx) => this.settings.get(tx, PUBLIC_URL));
  }

  private async load(tx: TxContext): Promise<NodeIdentity> {
    await this.settings.insertIfAbsent(tx, NODE_ID, randomUUID());
    await this.settings.insertIfAbsent(tx, COOKIE_KEY, randomBytes(32).toString('base64'));
    const nodeId = await this.settings.get(tx, NODE_ID);
    const key = await this.settings.get(tx, COOKIE_KEY);
    const cookieKey = Buffer.from(key ?? '', 'base64');
    // A damaged row must stop the node rather than let it issue cookies nobody can check.
    if (!nodeId || !isUuid(nodeId)) throw new Error(`node_setting ${NODE_ID} is not a uuid`);
    if (cookieKey.length !== 32) throw new Error(`node_setting ${COOKIE_KEY} is not 32 bytes of base64`);
    return { nodeId, cookieKey };
  }
}
