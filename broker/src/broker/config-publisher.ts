import { CounterSettings, encodeConfig, topicFor } from '@onestop/protocol';
import { configsChangedSince, type Database, databaseNow, schema } from '@onestop/store';
import type { Aedes } from 'aedes';
import { and, eq } from 'drizzle-orm';
import type { Logger } from 'pino';

const { counterConfigs, devices } = schema;

/**
 * Publishes each counter's desired settings retained on the `config` topic of each board attached
 * to it, so that a board gets them on every (re)subscribe without asking. Revoked boards, and
 * replaced ones (which only drain their outbox), get none: theirs is cleared.
 */
export class ConfigPublisher {
  constructor(
    private readonly aedes: Aedes,
    private readonly db: Database,
    private readonly logger: Logger,
  ) {}

  private rows(where?: { deviceId: string } | { unitId: string }) {
    const q = this.db
      .select({
        deviceId: devices.id,
        unitId: devices.unitId,
        counterId: devices.counterId,
        revokedAt: devices.revokedAt,
        replacedBy: devices.replacedBy,
        version: counterConfigs.version,
        settings: counterConfigs.settings,
        updatedAt: counterConfigs.updatedAt,
      })
      .from(counterConfigs)
      .innerJoin(
        devices,
        and(eq(devices.unitId, counterConfigs.unitId), eq(devices.counterId, counterConfigs.counterId)),
      );
    if (!where) return q;
    return q.where('unitId' in where ? eq(devices.unitId, where.unitId) : eq(devices.id, where.deviceId));
  }

  /**
   * Read-then-publish runs one at a time: two changes of one device in quick succession must
   * not have the older read overtake the newer one and be left as the retained config.
   */
  private queue: Promise<unknown> = Promise.resolve();
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  /** Returns false when the device has no stored config (nothing is published). */
  publish(deviceId: string): Promise<boolean> {
    return this.serial(async () => {
      const [row] = await this.rows({ deviceId });
      return row ? this.send(row) : false;
    });
  }

  /** Publishes (or, revoked or replaced, clears) the config of every device of a unit that has one. */
  publishUnit(unitId: string): Promise<number> {
    return this.serial(async () => {
      let n = 0;
      for (const row of await this.rows({ unitId })) if (await this.send(row)) n++;
      return n;
    });
  }

  /** In the database's clock (see publishChanged); null until the first catch-up reads it. */
  private watermark: Date | null = null;

  /**
   * The catch-up after (re)connecting to the signals: publishes configs stored since the last
   * call, by whichever process stored them (dashboard, CLI, another node). The window overlaps by a few seconds for clock skew between processes
   * and commits that land late; publishing a version twice is harmless (retained, idempotent).
   */
  async publishChanged(overlapMs = 5_000): Promise<number> {
    // Both ends of the window come from the database's clock, which stamps `updated_at` too:
    // a process whose clock runs behind cannot make a change fall outside it.
    const started = await databaseNow(this.db);
    const since = this.watermark ?? started;
    const ids = await configsChangedSince(this.db, new Date(since.getTime() - overlapMs));
    this.watermark = started;
    let n = 0;
    for (const id of ids) if (await this.publish(id)) n++;
    return n;
  }

  publishAll(): Promise<number> {
    return this.serial(async () => {
      let n = 0;
      for (const row of await this.rows()) if (await this.send(row)) n++;
      return n;
    });
  }

  private async send(row: Awaited<ReturnType<ConfigPublisher['rows']>>[number]): Promise<boolean> {
    const topic = topicFor(row, 'config');
    if (row.revokedAt || row.replacedBy) {
      // An empty retained message clears what a revoked or replaced device could still read.
      await this.put(topic, Buffer.alloc(0));
      return false;
    }
    const settings = CounterSettings.safeParse(row.settings);
    if (!settings.success) {
      this.logger.error(
        { deviceId: row.deviceId, issues: settings.error.issues },
        'stored config is invalid; not published',
      );
      return false;
    }
    const payload = encodeConfig({
      v: 1,
      version: row.version,
      ts: row.updatedAt.getTime(),
      settings: settings.data,
    });
    await this.put(topic, payload);
    return true;
  }

  private put(topic: string, payload: Buffer): Promise<void> {
    return new Promise((resolve, reject) =>
      this.aedes.publish({ cmd: 'publish', topic, payload, qos: 1, retain: true, dup: false }, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  }
}
