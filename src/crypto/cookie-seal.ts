import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DomainError } from '../domain/errors';
import { isUuid } from '../lib/uuid';

/**
 * AuthorizationCookiePayload indicates what a node's AuthorizationCookie (DssAuthWebService) vouches for:
 * which downstream server in which downstream channel, issued by which node, until when (ms since epoch).
 */
export interface AuthorizationCookiePayload {
  kind: 'auth';
  serverId: string;
  channel: string;
  issuerNodeId: string;
  expiresAt: number;
}

/** CookiePayload indicates what a ServerSyncWebService Cookie carries: the AuthorizationCookie's facts plus the protocol version. */
export interface CookiePayload {
  kind: 'cookie';
  serverId: string;
  channel: string;
  /** "major.minor" as sent in GetCookie, e.g. "1.20". */
  protocolVersion: string;
  issuerNodeId: string;
  expiresAt: number;
}

/** SealedPayload is either kind of sealed cookie content. */
export type SealedPayload = AuthorizationCookiePayload | CookiePayload;

/** PayloadOfKind maps a kind tag to its payload type. */
export type PayloadOfKind<K extends SealedPayload['kind']> = Extract<SealedPayload, { kind: K }>;

/** OpenContext indicates who is opening a sealed cookie: this node's key and id, and the current time in ms. */
export interface OpenContext {
  key: Buffer;
  nodeId: string;
  now: number;
}

// Layout (CVE-2025-59287: a fixed schema read field by field, never a deserialized object graph):
//   plaintext = version(1) kind(1) serverId(16) issuerNodeId(16) expiresAt(u64 BE ms) channelLen(u16 BE) channel [protoLen(u8) proto]
//   sealed    = iv(12) | AES-256-GCM ciphertext | tag(16), AAD = "cascade-cookie" version kind issuerNodeId(16)
const FORMAT_VERSION = 1;
const KIND_BYTE = { auth: 1, cookie: 2 } as const;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const AAD_LABEL = Buffer.from('cascade-cookie', 'ascii');
const MAX_CHANNEL_BYTES = 512;
const FIXED_BYTES = 1 + 1 + 16 + 16 + 8 + 2;
/** Anything longer cannot be a cookie this module made; rejecting it early bounds the work an attacker can cause. */
const MAX_SEALED_BYTES = IV_BYTES + FIXED_BYTES + MAX_CHANNEL_BYTES + 1 + 255 + TAG_BYTES;
const PROTOCOL_VERSION = /^\d{1,5}\.\d{1,5}$/;

/** seal encrypts and authenticates a payload with this node's 32-byte key; the result is opaque bytes for the wire. */
export function seal(payload: SealedPayload, key: Buffer): Buffer {
  checkKey(key);
  const plain = encode(payload);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad(payload.kind, payload.issuerNodeId));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

/**
 * open checks and decrypts bytes made by seal. It throws DomainError InvalidAuthorizationCookie (kind 'auth') or
 * InvalidCookie (kind 'cookie') when the bytes were forged or altered, sealed by another node or for another kind, or expired.
 */
export function open<K extends SealedPayload['kind']>(sealed: Buffer, kind: K, ctx: OpenContext): PayloadOfKind<K> {
  checkKey(ctx.key);
  const invalid = (why: string) => new DomainError(kind === 'auth' ? 'InvalidAuthorizationCookie' : 'InvalidCookie', why);
  if (sealed.length < IV_BYTES + FIXED_BYTES + TAG_BYTES || sealed.length > MAX_SEALED_BYTES) throw invalid('cookie is malformed');
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', ctx.key, sealed.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(kind, ctx.nodeId));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    plain = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw invalid('cookie was not issued by this server');
  }
  const payload = decode(plain);
  // The AAD already binds kind and issuer; these checks keep a key-holder's own encoding mistakes from passing.
  if (!payload || payload.kind !== kind || payload.issuerNodeId !== ctx.nodeId.toLowerCase()) throw invalid('cookie is malformed');
  if (ctx.now >= payload.expiresAt) throw invalid('cookie has expired');
  return payload as PayloadOfKind<K>;
}

function checkKey(key: Buffer): void {
  if (key.length !== 32) throw new Error('cookie key must be 32 bytes');
}

function aad(kind: SealedPayload['kind'], issuerNodeId: string): Buffer {
  return Buffer.concat([AAD_LABEL, Buffer.from([FORMAT_VERSION, KIND_BYTE[kind]]), uuidBytes(issuerNodeId)]);
}

function uuidBytes(id: string): Buffer {
  if (!isUuid(id)) throw new Error(`not a uuid: ${id}`);
  return Buffer.from(id.replace(/-/g, ''), 'hex');
}

function uuidText(bytes: Buffer): string {
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function encode(p: SealedPayload): Buffer {
  if (!Number.isSafeInteger(p.expiresAt) || p.expiresAt < 0) throw new Error('expiresAt must be a whole number of ms');
  const channel = Buffer.from(p.channel, 'utf8');
  if (channel.length > MAX_CHANNEL_BYTES) throw new Error('channel name is too long for a cookie');
  const head = Buffer.alloc(FIXED_BYTES);
  head[0] = FORMAT_VERSION;
  head[1] = KIND_BYTE[p.kind];
  uuidBytes(p.serverId).copy(head, 2);
  uuidBytes(p.issuerNodeId).copy(head, 18);
  head.writeBigUInt64BE(BigInt(p.expiresAt), 34);
  head.writeUInt16BE(channel.length, 42);
  if (p.kind === 'auth') return Buffer.concat([head, channel]);
  if (!PROTOCOL_VERSION.test(p.protocolVersion)) throw new Error(`not a protocol version: ${p.protocolVersion}`);
  const proto = Buffer.from(p.protocolVersion, 'ascii');
  return Buffer.concat([head, channel, Buffer.from([proto.length]), proto]);
}

/** decode reads the fixed layout strictly: every byte accounted for, or undefined. */
function decode(b: Buffer): SealedPayload | undefined {
  if (b.length < FIXED_BYTES || b[0] !== FORMAT_VERSION) return undefined;
  const kind = b[1] === KIND_BYTE.auth ? 'auth' : b[1] === KIND_BYTE.cookie ? 'cookie' : undefined;
  if (!kind) return undefined;
  const expires = b.readBigUInt64BE(34);
  if (expires > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  const channelEnd = FIXED_BYTES + b.readUInt16BE(42);
  if (channelEnd > b.length) return undefined;
  const common = {
    serverId: uuidText(b.subarray(2, 18)),
    channel: b.subarray(FIXED_BYTES, channelEnd).toString('utf8'),
    issuerNodeId: uuidText(b.subarray(18, 34)),
    expiresAt: Number(expires),
  };
  if (kind === 'auth') return channelEnd === b.length ? { kind, ...common } : undefined;
  if (channelEnd + 1 > b.length) return undefined;
  const protoEnd = channelEnd + 1 + b[channelEnd];
  if (protoEnd !== b.length) return undefined;
  const protocolVersion = b.subarray(channelEnd + 1, protoEnd).toString('ascii');
  return PROTOCOL_VERSION.test(protocolVersion) ? { kind, ...common, protocolVersion } : undefined;
}
