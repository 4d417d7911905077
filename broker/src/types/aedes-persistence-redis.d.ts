// The package ships no types. Its main export wraps the async implementation in aedes-persistence's
// CallBackPersistence, the same shape as aedes' own in-memory default (streams for retained).
declare module 'aedes-persistence-redis' {
  import type { RedisOptions } from 'ioredis';

  interface AedesPersistenceRedisOptions extends RedisOptions {
    maxSessionDelivery?: number;
    packetTTL?: (packet: unknown) => number;
  }
  interface AedesPersistenceRedis {
    setup(broker: unknown): Promise<void>;
    destroy(): Promise<void>;
  }
  function aedesPersistenceRedis(opts?: AedesPersistenceRedisOptions): AedesPersistenceRedis;
  export = aedesPersistenceRedis;
}
