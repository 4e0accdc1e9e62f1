import { setFlagsFromString } from 'node:v8';

/**
 * Turns off V8's allocation-site pretenuring for the rest of the process. A scoring server's objects live for one
 * request, but under load (requests queued behind each other, a compaction's state held over a round trip) enough of
 * them outlive a scavenge that V8 decides their allocation sites make long-lived objects and allocates them in the old
 * generation from then on. Each scavenge then scans those old objects' pointers into the young generation: in the
 * online feature path (bench/features.ts) scavenges grew from about 1 ms to 4–8 ms and the old generation by 2 MB each
 * time, until the next full collection. Without pretenuring they stay at about 1 ms.
 *
 * Call it first thing in a long-running server: sites decided before it stay decided.
 */
export function disablePretenuring(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}
