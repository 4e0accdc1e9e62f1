import { setFlagsFromString } from 'node:v8';

/**
 * Turns off V8's allocation-site pretenuring for the rest of the process. Once V8 sees enough objects of one allocation
 * site survive a scavenge, it allocates that site's objects in the old generation from then on: right for long-lived
 * data, wrong for a server's per-request objects. In the online feature path (bench/features.ts, one event at a time)
 * it set in after one to two thousand events: each scavenge then took 4–8 ms instead of about 1 ms and left the old
 * generation 2 MB larger; a full collection freed that memory, but the slow scavenges went on after it. Without
 * pretenuring scavenges stayed at about 1 ms, and `bench serve`'s server spent 80–92 ms in GC per 10 s at 1,000
 * requests/s instead of 105–146 (two runs each).
 *
 * Call it first thing in a long-running server: sites decided before it stay decided.
 */
export function disablePretenuring(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}
