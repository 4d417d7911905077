import {
  CHANNELS,
  type Channel,
  COMMAND_NAMES,
  type DeviceAddress,
  devicePrefix,
  EVENT_CHANNELS,
  INGEST_STATE,
  type ParsedTopic,
  TOPIC_ROOT,
} from '@onestop/protocol';

export type ServiceRole = 'ingest' | 'dashboard';

/** Who a connected client is, decided once at CONNECT and cached for every later packet. */
export type Session =
  | {
      role: 'device';
      address: DeviceAddress;
      prefix: string;
      username: string;
      /**
       * A replaced board draining its outbox: it may deliver events (and say how full its outbox
       * is), and is forwarded nothing but acks: no settings, no commands.
       */
      deliveryOnly: boolean;
    }
  | { role: ServiceRole; username: string };

/** Topics under `$onestop/` never reach a client: refused publishes are diverted here. */
export const INTERNAL_PREFIX = '$onestop/';

const SERVICE_PUBLISH: Record<ServiceRole, ReadonlySet<Channel>> = {
  // Only the ingest may acknowledge: an ack makes a device drop events from its outbox.
  // `update`: release offers, which a centre running its broker apart (Mosquitto, EMQX) publishes
  // as a service like `config`.
  ingest: new Set<Channel>(['ack', 'config', 'update', ...COMMAND_NAMES.map((n) => `cmd/${n}` as const)]),
  dashboard: new Set<Channel>(['config', 'update', ...COMMAND_NAMES.map((n) => `cmd/${n}` as const)]),
};

/**
 * What a delivery-only (draining) board may publish: its events, the telemetry that says when its
 * outbox is empty, and the status and birth its agent sends on every connect (harmless, and
 * refusing them would only fill the refusal log).
 */
const DELIVERY_CHANNELS: ReadonlySet<Channel> = new Set<Channel>([
  ...EVENT_CHANNELS,
  'telemetry',
  'status',
  'birth',
]);

/**
 * What reaches a delivery-only board: acks, which let its outbox drain, and whether the ingest is
 * listening, which tells it when a missing ack was nobody's refusal.
 */
export function mayForward(session: Session | undefined, topic: string): boolean {
  if (session?.role !== 'device' || !session.deliveryOnly) return true;
  return topic === `${session.prefix}/ack` || topic === INGEST_STATE.topic;
}

export type PublishVerdict = { ok: true } | { ok: false; reason: 'foreign_topic' | 'wrong_direction' };

export function mayPublish(session: Session, topic: ParsedTopic): PublishVerdict {
  const channel = CHANNELS[topic.channel];
  if (session.role === 'device') {
    const a = session.address;
    if (topic.unitId !== a.unitId || topic.counterId !== a.counterId || topic.deviceId !== a.deviceId) {
      return { ok: false, reason: 'foreign_topic' };
    }
    if (channel.from !== 'device') return { ok: false, reason: 'wrong_direction' };
    // A draining board was sent no command, so it has none to answer.
    if (session.deliveryOnly && !DELIVERY_CHANNELS.has(topic.channel))
      return { ok: false, reason: 'wrong_direction' };
    return { ok: true };
  }
  return SERVICE_PUBLISH[session.role].has(topic.channel)
    ? { ok: true }
    : { ok: false, reason: 'wrong_direction' };
}

/**
 * What a device may subscribe to: exactly what is addressed to it, never another device's prefix,
 * and whether the ingest is listening.
 */
function deviceFilters(prefix: string): ReadonlySet<string> {
  return new Set([
    INGEST_STATE.topic,
    `${prefix}/config`,
    `${prefix}/ack`,
    `${prefix}/update`,
    `${prefix}/cmd/#`,
    `${prefix}/cmd/+`,
    ...COMMAND_NAMES.map((n) => `${prefix}/cmd/${n}`),
  ]);
}

const deviceFilterCache = new Map<string, ReadonlySet<string>>();

/** Strips `$share/{group}/` (MQTT 5 / Mosquitto / EMQX shared subscriptions) for the ACL check. */
export function unshare(filter: string): { filter: string; shared: boolean } {
  if (!filter.startsWith('$share/')) return { filter, shared: false };
  const rest = filter.slice('$share/'.length);
  const slash = rest.indexOf('/');
  return slash > 0 ? { filter: rest.slice(slash + 1), shared: true } : { filter: '', shared: true };
}

export function maySubscribe(session: Session, rawFilter: string): boolean {
  const { filter, shared } = unshare(rawFilter);
  if (filter === '' || filter.startsWith('$')) return false;
  if (session.role === 'device') {
    if (shared) return false;
    let allowed = deviceFilterCache.get(session.prefix);
    if (!allowed) {
      allowed = deviceFilters(session.prefix);
      if (deviceFilterCache.size > 50_000) deviceFilterCache.clear();
      deviceFilterCache.set(session.prefix, allowed);
    }
    return allowed.has(filter);
  }
  // Services read everything under the versioned root (e.g. `onestop/v1/+/+/+/#`), nothing else.
  return filter.startsWith(`${TOPIC_ROOT}/`);
}

export function deviceSession(address: DeviceAddress, username: string, deliveryOnly = false): Session {
  return { role: 'device', address, prefix: devicePrefix(address), username, deliveryOnly };
}

/**
 * A device must connect with its own deviceId as clientId (or `deviceId:suffix`), so that it can
 * never take over another client's session, least of all the ingest's persistent one.
 */
export function deviceClientIdOk(clientId: string, deviceId: string): boolean {
  return clientId === deviceId || clientId.startsWith(`${deviceId}:`);
}
