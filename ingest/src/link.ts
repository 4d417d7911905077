import { CONNACK_REFUSALS, keepReconnecting, type LinkStatus, SERVICE_BACKOFF } from '@onestop/protocol';
import { counter, LogThrottle } from '@onestop/service';
import type { IClientOptions, MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { brokerUrls, connectTo, type IngestEndpoint } from './endpoint.js';

export interface BrokerLink {
  client: MqttClient;
  status(): LinkStatus;
  /** Stops retrying; call before ending the client. */
  stop(): void;
}

type Reconnecting = Extract<LinkStatus, { state: 'reconnecting' }>;

/** Why a link went down, as a bounded metric label: the refusal's name, or how the line was lost. */
export function reasonLabel(s: Reconnecting, unreachable: boolean): string {
  const refusal = s.refusedCode === null ? undefined : CONNACK_REFUSALS[s.refusedCode];
  if (refusal) return refusal.replaceAll(' ', '_');
  return unreachable ? 'unreachable' : 'closed';
}

/**
 * The ingest's connection to its broker, which it never gives up: refused (3 while the broker's
 * database hiccups, 4 while our account is throttled after someone guessed at it, 5 after an ACL
 * mistake) or dropped, it retries with a service's short backoff (`keepReconnecting`,
 * `SERVICE_BACKOFF`) for as long as the process runs, counts every retry by reason and logs the
 * outage once, then once a minute while it lasts, then its end.
 */
export function openLink(
  endpoint: IngestEndpoint,
  options: IClientOptions,
  deps: {
    name: string;
    registry: Registry;
    logger: Logger;
    onStatus?: (status: LinkStatus) => void;
  },
): BrokerLink {
  const { name, logger: log } = deps;
  const reconnects = counter(
    deps.registry,
    'onestop_mqtt_reconnects_total',
    'Reconnection attempts of our MQTT clients, by client and by why the last try ended',
    ['client', 'reason'],
  );
  // mqtt.js must never retry on its own (it stops for good after a refusal, mqtt.js #1947).
  const client = connectTo(endpoint, { ...options, reconnectPeriod: 0 });
  const where = endpoint.mqttUrl ? brokerUrls(endpoint.mqttUrl).join(', ') : 'the in-process broker';
  const throttle = new LogThrottle();
  let unreachable = false;
  let outage: { since: number; tries: number; reasons: Set<string>; told: boolean } | null = null;

  // Before keepReconnecting's own listener, so that the close that follows can say what happened.
  client.on('error', (err: Error & { code?: unknown }) => {
    unreachable = typeof err.code !== 'number';
  });

  const onStatus = (s: LinkStatus) => {
    deps.onStatus?.(s);
    if (s.state === 'reconnecting') {
      reconnects.inc({ client: name, reason: reasonLabel(s, unreachable) });
      unreachable = false;
      const first = outage === null;
      outage ??= { since: Date.now(), tries: 0, reasons: new Set(), told: false };
      outage.tries++;
      outage.reasons.add(s.reason);
      // Not reset by a reconnection: a link that flaps (two ingests sharing one client ID take the
      // session from each other for ever) is still a line a minute, not two per flap.
      const suppressed = throttle.take();
      if (suppressed === null) return;
      outage.told = true;
      // A refused login or authorisation needs a person (or the end of a throttle); the rest is weather.
      const level = s.refusedCode === 4 || s.refusedCode === 5 ? 'error' : 'warn';
      log[level](
        {
          broker: where,
          reason: s.reason,
          refusedCode: s.refusedCode,
          retryInMs: Math.max(0, s.nextAt - Date.now()),
          tries: outage.tries,
          downForMs: Date.now() - outage.since,
          reasonsSinceLastLine: [...outage.reasons],
          suppressed,
        },
        first
          ? `${name}: no broker link; retrying until it is back`
          : `${name}: still no broker link; retrying`,
      );
      outage.reasons.clear();
    } else if (s.state === 'connected') {
      if (outage?.told)
        log.info(
          { broker: where, tries: outage.tries, downForMs: Date.now() - outage.since },
          `${name}: reconnected`,
        );
      outage = null;
    }
  };

  const handle = keepReconnecting(client, { onStatus, policy: SERVICE_BACKOFF });
  return { client, status: handle.status, stop: handle.stop };
}
