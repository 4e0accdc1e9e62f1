import { once } from 'node:events';
import { InvalidArgumentError, type Command } from 'commander';
import { action, intOption } from '../core/cli';
import { disablePretenuring } from '../core/pretenuring';
import { createApp } from './app';
import { SCOPES } from './auth/authenticator';
import { createServingDeps } from './create-serving-deps';
import { startServer } from './server';

/** `vigil serve [--port P]`: the HTTP API until SIGTERM or SIGINT, then a graceful stop. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Serve the HTTP API (HTTPS with VIGIL_TLS_CERT/KEY); SIGTERM or SIGINT stops it after answering requests in flight')
    .option('--port <port>', 'port to listen on (default: VIGIL_PORT, 8080; 0 picks a free one)', portOption)
    .action(
      action(async ({ config, log }, opts: { port?: number }) => {
        disablePretenuring();
        const port = opts.port ?? config.port;
        const runtime = await createServingDeps(config, log);
        if (runtime.kind === 'memory') {
          // Without Redis the key store is this process's memory: nowhere else could a key be created or kept.
          const issued = await runtime.security.keys.create({ name: 'embedded admin', scopes: [...SCOPES] }, 'system');
          process.stderr.write(`vigil: admin API key of this process (shown once, gone when it exits): ${issued.key}\n`);
        }
        const server = await startServer(createApp(runtime.deps), { port, tls: config.tls, log });
        log.info({ url: server.url, port: server.port, backend: runtime.kind }, 'listening');

        const signal = await Promise.race([once(process, 'SIGTERM').then(() => 'SIGTERM'), once(process, 'SIGINT').then(() => 'SIGINT')]);
        // A second signal while draining means "now".
        const force = () => process.exit(1);
        process.once('SIGTERM', force).once('SIGINT', force);
        log.info({ signal }, 'shutting down');
        await server.close();
        await runtime.close();
        log.info('stopped');
        return { stopped: signal, url: server.url };
      }),
    );
}

function portOption(value: string): number {
  const port = intOption('port')(value);
  if (port > 65535) throw new InvalidArgumentError(`expected a port between 0 and 65535, got "${value}"`);
  return port;
}
