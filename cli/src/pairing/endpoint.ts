import { readFileSync } from 'node:fs';
import type { PairingEndpoint } from '@onestop/dashboard';
import { UsageError } from '../errors.js';

/**
 * Broker URLs fixed by the operator (`ONESTOP_MQTT_URL`, comma-separated): for a centre behind
 * NAT or a proxy, whose boards reach the broker by another name than the dashboard.
 */
export function fixedBrokerUrls(env: string | undefined): string[] | null {
  if (!env?.trim()) return null;
  const urls = env.split(',').map((u) => u.trim());
  for (const u of urls)
    if (!/^(mqtts?|wss?):\/\/[^\s/]+/.test(u))
      throw new UsageError(`ONESTOP_MQTT_URL: '${u}' is not an mqtt://, mqtts://, ws:// or wss:// URL`);
  return urls;
}

/** The CA that boards are to trust, read once at start: a missing file is said at once. */
export function readCaCertificate(file: string | null | undefined, what: string): string | null {
  if (!file) return null;
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${what} ${file}: ${(e as Error).message}`);
  }
}

/**
 * What the all-in-one tells a paired board: its broker over TLS when the centre serves TLS (with
 * the CA), else plain MQTT, at the host name the board reached the dashboard by.
 */
export function servePairingEndpoint(o: {
  mqttPort: number;
  tlsPort: number | null;
  caCertificate: string | null;
}): PairingEndpoint {
  const fixed = fixedBrokerUrls(process.env.ONESTOP_MQTT_URL);
  return {
    brokerUrls: (host) =>
      fixed ?? [o.tlsPort !== null ? `mqtts://${host}:${o.tlsPort}` : `mqtt://${host}:${o.mqttPort}`],
    caCertificate: o.caCertificate,
  };
}
