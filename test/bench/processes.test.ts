import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { processCpuMs } from '../../bench/support/processes';

it('counts the CPU time of the processes a process started (the workers of vigil serve --workers)', async () => {
  // The parent only waits; its child spins for 400 ms of CPU, then both idle until killed.
  const child = `const end = process.cpuUsage().user + 400000; while (process.cpuUsage().user < end); process.stdout.write('done'); setInterval(() => {}, 1000);`;
  const parent = spawn(
    process.execPath,
    ['-e', `const c = require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(child)}], { stdio: ['ignore', 'pipe', 'ignore'] }); c.stdout.once('data', () => console.log(c.pid)); setInterval(() => {}, 1000);`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let childPid: number | undefined;
  try {
    childPid = Number(String((await once(parent.stdout, 'data'))[0]).trim());
    expect(processCpuMs(parent.pid as number) - processCpuMs(childPid)).toBeLessThan(400);
    expect(processCpuMs(parent.pid as number)).toBeGreaterThanOrEqual(400);
  } finally {
    if (childPid) process.kill(childPid, 'SIGKILL');
    parent.kill('SIGKILL');
  }
});
