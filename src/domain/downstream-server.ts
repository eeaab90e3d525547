import { invalidParameters } from './errors';

/** DownstreamServer indicates a registered child node as services hand it out (never with its secret hash). */
export interface DownstreamServer {
  serverId: string;
  name: string;
  channel: string;
  enabled: boolean;
  createdAt: Date;
  lastSeenAt: Date | null;
  protocolVersion: string | null;
}

/** DEFAULT_CHANNEL is the downstream channel of a server added without one. */
export const DEFAULT_CHANNEL = 'Default';

const LABEL = '[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?';
const SERVER_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * normalizeServerName checks a downstream server name (a DNS name or a plain identifier) and returns it in
 * lower case, or throws InvalidParameters. A name shaped like a uuid is refused: commands accept either.
 */
export function normalizeServerName(name: string): string {
  const n = name.trim().toLowerCase();
  if (n.length === 0 || n.length > 255 || !SERVER_NAME.test(n) || UUID_SHAPE.test(n)) {
    throw invalidParameters(`invalid server name "${name}": use a DNS name or identifier (letters, digits, "-", "_", dots between labels)`);
  }
  return n;
}

/** normalizeChannelName checks a downstream channel name (1-128 characters, no control characters) and returns it trimmed. */
export function normalizeChannelName(channel: string): string {
  const g = channel.trim();
  if (g.length === 0 || g.length > 128 || /\p{Cc}/u.test(g)) {
    throw invalidParameters(`invalid channel name "${channel}": 1 to 128 printable characters`);
  }
  return g;
}
