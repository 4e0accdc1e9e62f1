import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateDataset } from '../data/generator/generate';

/**
 * Synthetic data generation speed (`vigil generate`) on a mid-size world, into a temporary directory removed
 * afterwards. Prints one JSON line: events, wall seconds and events/s, and the same per second of this process's CPU
 * time (on a shared machine the steadier figure), plus peak resident memory.
 * Run: `npx tsx bench/generate.ts [users] [days]` (defaults 20000, 30).
 */

const USERS = Number(process.argv[2] ?? 20_000);
const DAYS = Number(process.argv[3] ?? 30);

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-generate-'));
  try {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const summary = generateDataset({ out: dir, users: USERS, days: DAYS });
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const cpuSeconds = (used.user + used.system) / 1e6;
    const events = summary.events.total;
    process.stdout.write(
      `${JSON.stringify({
        bench: 'generate',
        users: USERS,
        days: DAYS,
        events,
        seconds: Math.round(seconds * 1000) / 1000,
        eventsPerSecond: Math.round(events / seconds),
        cpuSeconds: Math.round(cpuSeconds * 1000) / 1000,
        eventsPerCpuSecond: Math.round(events / cpuSeconds),
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      })}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
