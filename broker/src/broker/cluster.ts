import aedesPersistenceRedis from 'aedes-persistence-redis';
import MQEmitterRedis from 'mqemitter-redis';
import type { BrokerOptions } from './start-broker.js';

export interface RedisClusterOptions {
  /** redis://host:port/db */
  url: string;
  /** Key prefix for sessions, subscriptions and retained messages, so clusters can share a Redis. */
  prefix?: string;
}

/**
 * Several broker processes behind one address (DNS or a TCP load balancer): messages cross
 * between nodes over Redis pub/sub (mqemitter-redis), and sessions, persistent subscriptions,
 * queued QoS 1 messages and retained messages live in Redis (aedes-persistence-redis), so a
 * client can reconnect to any node (the ingest, given every node, moves at its first retry).
 */
export function redisCluster(opts: RedisClusterOptions): NonNullable<BrokerOptions['cluster']> {
  const mq = MQEmitterRedis({ connectionString: opts.url });
  const u = new URL(opts.url);
  const persistence = aedesPersistenceRedis({
    host: u.hostname,
    port: Number(u.port || 6379),
    db: Number(u.pathname.slice(1) || 0),
    password: u.password || undefined,
    keyPrefix: opts.prefix ?? 'onestop:',
  });
  return {
    mq,
    persistence,
    close: () => persistence.destroy(),
  };
}
