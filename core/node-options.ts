/**
 * The options `vigil` runs node with. The first line of bin/vigil.js passes them (`#!/usr/bin/env -S node …`): a V8
 * heap's sizes are fixed when the process starts, so `v8.setFlagsFromString` could not set them later. `vigil serve
 * --workers N` hands them on to its workers (node:cluster forks with the primary's options), and the benchmarks start
 * the processes that stand for `vigil serve` with them.
 *
 * `--max-semi-space-size=64`: a young generation of up to 64 MB per semi-space instead of V8's 16. Scoring an event
 * allocates about 80 kB (entity states decoded from Redis, records, replies), so with 16 MB a scavenge came every
 * 170 events or so and held up the event it landed in by about 1 ms: three quarters of a percent of the events, and
 * most of the slowest percent. A scavenge copies only what is still alive, which does not grow with the semi-space,
 * so a larger one makes them rarer at no extra cost each. In the online phase of `bench features`, in a process of
 * its own after JIT compilation had settled, three alternating runs of each gave p99 1.45–1.92 ms with the default,
 * 0.88–1.14 ms with 32 MB and 0.84–0.96 ms with 64 MB (scavenges in 0.76%, 0.30–0.39% and 0.20–0.22% of the events).
 * The price is memory: the young generation grows to use it, and that process ended with 223 MB resident instead of
 * 144.
 */
export const VIGIL_NODE_OPTIONS: readonly string[] = ['--max-semi-space-size=64'];
