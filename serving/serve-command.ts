import cluster from 'node:cluster';
import { once } from 'node:events';
import { InvalidArgumentError, type Command } from 'commander';
import { action, intOption } from '../core/cli';
import { ConfigError } from '../core/errors';
import { disablePretenuring } from '../core/pretenuring';
import { createApp } from './app';
import { SCOPES } from './auth/authenticator';
import { runPrimary } from './cluster-primary';
import { joinCluster } from './cluster-worker';
import { createServingDeps } from './create-serving-deps';
import { startServer } from './server';

/**
 * `vigil serve [--port P] [--workers N]`: the HTTP API until SIGTERM or SIGINT, then a graceful stop. With more than
 * one worker this process is the primary of node:cluster workers that each run this same command (cluster-primary.ts).
 */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Serve the HTTP API (HTTPS with VIGIL_TLS_CERT/KEY); SIGTERM or SIGINT stops it after answering requests in flight')
    .option('--port <port>', 'port to listen on (default: VIGIL_PORT, 8080; 0 picks a free one)', portOption)
    .option('--workers <n>', 'processes sharing the port, one per core to use every core; more than 1 needs REDIS_URL (default: VIGIL_WORKERS, 1)', workersOption)
    .action(
      action(async ({ config, log: processLog }, opts: { port?: number; workers?: number }) => {
        const workers = opts.workers ?? config.workers;
        if (workers > 1 && !config.redisUrls) {
          throw new ConfigError([{ path: ['--workers'], message: `${workers} workers need REDIS_URL: the embedded store is the memory of one process` }]);
        }
        if (workers > 1 && cluster.isPrimary) return runPrimary({ workers, log: processLog });
        // A worker of ours runs with the primary's arguments and environment, so it sees the same count. A process
        // that another cluster manager forked as its worker (PM2's cluster mode) serves on its own.
        const ours = workers > 1 && cluster.isWorker;
        const log = ours ? processLog.child({ worker: cluster.worker?.id }) : processLog;
        disablePretenuring();
        const port = opts.port ?? config.port;
        const runtime = await createServingDeps(config, log);
        if (ours) runtime.deps.scrapeMetrics = joinCluster({ registry: runtime.deps.metrics });
        if (runtime.kind === 'memory') {
          // Without Redis the key store is this process's memory: nowhere else could a key be created or kept.
          const issued = await runtime.security.keys.create({ name: 'embedded admin', scopes: [...SCOPES] }, 'system');
          process.stderr.write(`vigil: admin API key of this process (shown once, gone when it exits): ${issued.key}\n`);
        }
        const server = await startServer(createApp(runtime.deps), { port, tls: config.tls, log });
        log.info({ url: server.url, port: server.port, backend: runtime.kind }, 'listening');

        const signal = await Promise.race([once(process, 'SIGTERM').then(() => 'SIGTERM'), once(process, 'SIGINT').then(() => 'SIGINT')]);
        // A second signal while draining means "now". A worker of ours leaves that to the primary: Ctrl-C reaches it
        // twice, from the terminal and passed on by the primary.
        const force = ours ? () => undefined : () => process.exit(1);
        process.once('SIGTERM', force).once('SIGINT', force);
        log.info({ signal }, 'shutting down');
        await server.close();
        await runtime.close();
        log.info('stopped');
        if (ours) {
          // The channel to the primary would keep this process alive; the primary prints the command's result line.
          cluster.worker?.disconnect();
          return undefined;
        }
        return { stopped: signal, url: server.url };
      }),
    );
}

function workersOption(value: string): number {
  const n = intOption('workers', 1)(value);
  if (n > 64) throw new InvalidArgumentError(`expected a number of workers between 1 and 64, got "${value}"`);
  return n;
}

function portOption(value: string): number {
  const port = intOption('port')(value);
  if (port > 65535) throw new InvalidArgumentError(`expected a port between 0 and 65535, got "${value}"`);
  return port;
}
