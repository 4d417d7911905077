import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { parsePort, parsePositiveInt } from '../errors.js';
import { addListenerFlags, type ListenerFlags, listenerOptions } from '../listeners.js';
import { onShutdown } from '../shutdown.js';

interface ServeOpts extends ListenerFlags {
  data: string;
  mqttPort: number;
  httpPort: number;
  host: string;
  simulate: number;
  speed: number;
  cameraReplay?: string;
  open?: boolean;
}

export function registerServeCommand(program: Command): void {
  const cmd = program
    .command('serve')
    .description(
      'all-in-one: MQTT broker + ingest + dashboard on an embedded database (+ simulated counters)',
    )
    .option('--data <dir>', 'data folder (embedded database, simulator state)', './data')
    .option('--mqtt-port <port>', 'MQTT listener port (0 = any free port)', parsePort('--mqtt-port'), 1883)
    .option(
      '--http-port <port>',
      'dashboard and /metrics port (0 = any free port)',
      parsePort('--http-port'),
      8080,
    )
    .option('--host <address>', 'address to listen on', '0.0.0.0')
    .option(
      '--simulate <n>',
      'run N simulated counters (the real agent with virtual devices)',
      parsePositiveInt('--simulate', 500),
      0,
    )
    .option('--speed <x>', 'simulated time compression', parsePositiveInt('--speed', 3600, 1), 60)
    .option(
      '--camera-replay <dir>',
      'give each simulated counter a camera replaying this folder of JPEG/PNG images through the real perception pipeline',
    )
    .option('--open', 'open the dashboard in a browser when possible');
  addListenerFlags(cmd).action(async (o: ServeOpts) => {
    // The whole central system loads only when it is started, not for `onestop --help`.
    const [{ createLogger }, { startAllInOne }] = await Promise.all([
      import('../logger.js'),
      import('../serve/all-in-one.js'),
    ]);
    const logger = createLogger('onestop-serve');
    const tls = await dataFolderTls(o);
    const system = await startAllInOne({
      dataDir: o.data,
      mqttPort: o.mqttPort,
      httpPort: o.httpPort,
      host: o.host,
      simulate: o.simulate,
      simulationSpeed: o.speed,
      cameraReplayDir: o.cameraReplay ?? null,
      listeners: await listenerOptions(tls.flags, o.host),
      tlsCaCertificate: tls.caCertificate,
      logger,
      // Nothing can be stored any more: exit non-zero so that systemd (or the operator) restarts
      // the server; every agent keeps its ratings in its outbox meanwhile.
      onFatal: (err) => {
        logger.fatal({ err }, 'the embedded database stopped: exiting');
        process.exit(1);
      },
    });
    // Human-readable lines on stdout (logs are JSON on stderr); the ready line comes last, and
    // tests parse all of them.
    const { link, created } = system.signIn;
    if (created)
      process.stdout.write(
        `dashboard account created: ${created.username} / ${created.password} (shown once; manage accounts with 'onestop user')\n`,
      );
    if (link) process.stdout.write(`sign in (one-time link, 15 min): ${link}\n`);
    process.stdout.write(
      `admin commands (device, user, officer, unit) with --data ${o.data} reach this server on ${system.controlSocket}\n`,
    );
    process.stdout.write(
      `onestop serve ready: dashboard ${system.dashboardUrl} · mqtt mqtt://127.0.0.1:${system.mqttPort}${system.tlsPort !== null ? ` · mqtts mqtts://127.0.0.1:${system.tlsPort}` : ''} · ${o.simulate} simulated counters\n`,
    );
    if (o.open) openBrowser(link ?? system.dashboardUrl);
    onShutdown(logger, () => system.close());
  });
}

/** Best effort: a headless server has no browser, and that is fine. */
function openBrowser(url: string): void {
  if (!process.env.DISPLAY && process.platform === 'linux') return;
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => {});
  child.unref();
}

/** MQTT over TLS on this port when `tls init` made the data folder's certificates. */
const DEFAULT_TLS_PORT = 8883;

/**
 * The TLS listener from the flags, or else from `onestop tls init`'s files in the data folder
 * (on `--tls-port`, 8883 by default), and the CA that pairing hands to boards: `--tls-ca`, or the
 * data folder's CA when its server certificate is served.
 */
async function dataFolderTls(o: ServeOpts): Promise<{ flags: ServeOpts; caCertificate: string | null }> {
  const [{ servedTlsFiles }, { readCaCertificate }] = await Promise.all([
    import('../tls/certificates.js'),
    import('../pairing/endpoint.js'),
  ]);
  const files = o.tlsCert || o.tlsKey ? null : servedTlsFiles(o.data);
  const flags = files
    ? { ...o, tlsCert: files.serverCert, tlsKey: files.serverKey, tlsPort: o.tlsPort ?? DEFAULT_TLS_PORT }
    : o;
  const caFile = o.tlsCa ?? (files ? files.caCert : null);
  return { flags, caCertificate: flags.tlsPort !== undefined ? readCaCertificate(caFile, '--tls-ca') : null };
}
