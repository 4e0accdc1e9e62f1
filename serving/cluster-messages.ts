/** What the primary and the workers of `vigil serve --workers N` tell each other over node:cluster's channel. */
export type ClusterMessage =
  /** A worker asks for every worker's metrics, aggregated, to answer `/metrics`. */
  | { type: 'vigil:metrics-request'; id: number }
  | { type: 'vigil:metrics'; id: number; text?: string; error?: string };

const TYPES: ReadonlySet<string> = new Set(['vigil:metrics-request', 'vigil:metrics']);

/** The channel also carries node:cluster's and prom-client's own messages: only Vigil's are taken. */
export function isClusterMessage(message: unknown): message is ClusterMessage {
  return typeof message === 'object' && message !== null && TYPES.has((message as { type?: unknown }).type as string);
}
