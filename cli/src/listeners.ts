import { readFileSync } from 'node:fs';
import type { BrokerOptions } from '@onestop/broker';
import { DEFAULT_CONNECTION_LIMITS } from '@onestop/broker/connection-limits';
import type { Command } from 'commander';
import { parsePort, parsePositiveInt, UsageError } from './errors.js';

/** What the listener flags set on the broker. */
export type ListenerOptions = Pick<BrokerOptions, 'tls' | 'ws' | 'cluster' | 'connectionLimits'>;

export interface ListenerFlags {
  tlsPort?: number;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  tlsClientCa?: string;
  wsPort?: number;
  redis?: string;
  maxConnections?: number;
  maxConnectionsPerAddress?: number;
}

/** Broker listener flags shared by `serve` and `broker`. */
export function addListenerFlags(cmd: Command): Command {
  return cmd
    .option('--tls-port <port>', 'also listen for MQTT over TLS on this port', parsePort('--tls-port'))
    .option('--tls-cert <file>', 'PEM certificate for the TLS listener')
    .option('--tls-key <file>', 'PEM private key for the TLS listener')
    .option('--tls-ca <file>', 'PEM CA bundle presented with the certificate')
    .option(
      '--tls-client-ca <file>',
      'ask TLS clients for a certificate from this CA (e.g. DATA/tls/ca.pem); a board presenting one must have it issued to its own username, else it is refused',
    )
    .option('--ws-port <port>', 'also listen for MQTT over WebSocket (path /mqtt)', parsePort('--ws-port'))
    .option('--redis <url>', 'cluster with other broker processes through Redis, e.g. redis://127.0.0.1:6379')
    .option(
      '--max-connections <n>',
      `open MQTT connections allowed on this process (default ${DEFAULT_CONNECTION_LIMITS.total})`,
      parsePositiveInt('--max-connections', 10_000_000, 1),
    )
    .option(
      '--max-connections-per-address <n>',
      `open MQTT connections allowed from one address, e.g. a ward's NAT (default ${DEFAULT_CONNECTION_LIMITS.perAddress})`,
      parsePositiveInt('--max-connections-per-address', 10_000_000, 1),
    );
}

function readPem(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${flag} ${file}: ${(e as Error).message}`);
  }
}

export async function listenerOptions(f: ListenerFlags, host: string): Promise<ListenerOptions> {
  const out: ListenerOptions = {};
  if (f.maxConnections !== undefined || f.maxConnectionsPerAddress !== undefined)
    out.connectionLimits = {
      total: f.maxConnections ?? DEFAULT_CONNECTION_LIMITS.total,
      perAddress: f.maxConnectionsPerAddress ?? DEFAULT_CONNECTION_LIMITS.perAddress,
    };
  if (f.tlsPort !== undefined) {
    if (!f.tlsCert || !f.tlsKey) throw new UsageError('--tls-port needs --tls-cert and --tls-key');
    out.tls = {
      port: f.tlsPort,
      host,
      cert: readPem(f.tlsCert, '--tls-cert'),
      key: readPem(f.tlsKey, '--tls-key'),
      ...(f.tlsCa ? { ca: readPem(f.tlsCa, '--tls-ca') } : {}),
      ...(f.tlsClientCa ? { clientCa: readPem(f.tlsClientCa, '--tls-client-ca') } : {}),
    };
  } else if (f.tlsCert || f.tlsKey || f.tlsClientCa) {
    throw new UsageError('--tls-cert/--tls-key/--tls-client-ca need --tls-port');
  }
  if (f.wsPort !== undefined) out.ws = { port: f.wsPort, host };
  if (f.redis) {
    if (!/^rediss?:\/\//.test(f.redis))
      throw new UsageError(`--redis must be a redis:// URL, got '${f.redis}'`);
    // The broker (and its Redis client) load only for a command that starts a broker.
    const { redisCluster } = await import('@onestop/broker');
    out.cluster = redisCluster({ url: f.redis });
  }
  return out;
}
