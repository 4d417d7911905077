import type { Logger } from 'pino';

/**
 * One way every long-running command stops: on SIGINT/SIGTERM run `close` once, exit 0; if
 * closing hangs (a peer that never answers), exit 1 after `graceMs` so systemd or the terminal
 * is never left waiting, and a second Ctrl-C exits at once.
 */
export function onShutdown(logger: Logger, close: () => Promise<void>, graceMs = 20_000): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error({ graceMs }, 'shutdown did not finish in time: exiting');
      process.exit(1);
    }, graceMs).unref();
    close().then(
      () => {
        logger.info('stopped cleanly');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
