/**
 * Actor indicates who a request acts for: the node itself (its scheduler, its start-up, its background
 * fetches), an administrator at the `cascade` command, a downstream server, a client computer, or a
 * software provider.
 */
export type Actor =
  | { kind: 'node' }
  | { kind: 'admin' }
  | { kind: 'downstream-server'; serverId: string }
  | { kind: 'client-computer'; computerId: string }
  | { kind: 'software-provider'; providerName: string };
