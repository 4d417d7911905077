import { encodePayload, topicFor } from '@onestop/protocol';
import { currentOffers, type Database, type DeviceOffer } from '@onestop/store';
import type { Aedes } from 'aedes';
import type { Logger } from 'pino';

/**
 * Publishes each board's release offer retained on its `update` topic (protocol release.ts), as
 * `ConfigPublisher` does for settings: the store says what stands (`currentOffers`), this only
 * puts it on the bus. A withdrawn rollout, a revoked or draining board: an empty retained
 * message, which clears what the board could still read.
 */
export class UpdatePublisher {
  constructor(
    private readonly aedes: Aedes,
    private readonly db: Database,
    private readonly logger: Logger,
  ) {}

  /** One read-then-publish at a time: an older read must not overtake a newer one. */
  private queue: Promise<unknown> = Promise.resolve();
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  /** The offers of every board a rollout has offered its release to. */
  publishRollout(rolloutId: string): Promise<number> {
    return this.serial(async () => this.sendAll(await currentOffers(this.db, { rolloutId })));
  }

  /** One board's offer (after it was revoked, replaced or restored). */
  publishDevice(deviceId: string): Promise<number> {
    return this.serial(async () => this.sendAll(await currentOffers(this.db, { deviceIds: [deviceId] })));
  }

  /** Every board any rollout has offered something: at start and after missed signals. */
  publishAll(): Promise<number> {
    return this.serial(async () => this.sendAll(await currentOffers(this.db)));
  }

  private async sendAll(offers: readonly DeviceOffer[]): Promise<number> {
    let n = 0;
    for (const o of offers) {
      const topic = topicFor(o, 'update');
      if (!o.offer) {
        await this.put(topic, Buffer.alloc(0));
        continue;
      }
      let payload: Buffer;
      try {
        payload = encodePayload('update', o.offer);
      } catch (err) {
        // A stored release the contract refuses would be refused by the board too: said, not sent.
        this.logger.error(
          { deviceId: o.deviceId, err: (err as Error).message },
          'update offer is invalid; not published',
        );
        continue;
      }
      await this.put(topic, payload);
      n++;
    }
    if (offers.length > 0)
      this.logger.debug({ offers: n, cleared: offers.length - n }, 'update offers published');
    return n;
  }

  private put(topic: string, payload: Buffer): Promise<void> {
    return new Promise((resolve, reject) =>
      this.aedes.publish({ cmd: 'publish', topic, payload, qos: 1, retain: true, dup: false }, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  }
}
