import { type Database, schema } from '@onestop/store';
import { inArray } from 'drizzle-orm';

export interface DeviceCredentials {
  deviceId: string;
  unitId: string;
  counterId: string;
  passwordHash: string;
  revokedAt: Date | null;
  /** Set on a replaced board: it may only deliver its outbox, until `drainUntil`. */
  replacedBy: string | null;
  drainUntil: Date | null;
}

/**
 * Looks devices up by username, coalescing the CONNECTs that arrive in the same tick into one
 * `WHERE username IN (…)` query: after a broker restart the whole fleet dials in at once, and one
 * round trip per device (on PGlite, one at a time) would be the bottleneck. Every CONNECT still
 * reads fresh rows, so a revocation takes effect at the next connection attempt.
 */
interface Waiter {
  resolve(row: DeviceCredentials | null): void;
  reject(err: unknown): void;
}

export class DeviceLookup {
  private pending = new Map<string, Waiter[]>();
  private scheduled = false;

  constructor(
    private readonly db: Database,
    private readonly maxBatch = 500,
  ) {}

  find(username: string): Promise<DeviceCredentials | null> {
    return new Promise((resolve, reject) => {
      const waiters = this.pending.get(username);
      if (waiters) waiters.push({ resolve, reject });
      else this.pending.set(username, [{ resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.run());
      }
    });
  }

  private async run(): Promise<void> {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = new Map();
    const names = [...batch.keys()];
    const d = schema.devices;
    for (let i = 0; i < names.length; i += this.maxBatch) {
      const chunk = names.slice(i, i + this.maxBatch);
      try {
        const rows = await this.db
          .select({
            username: d.username,
            deviceId: d.id,
            unitId: d.unitId,
            counterId: d.counterId,
            passwordHash: d.passwordHash,
            revokedAt: d.revokedAt,
            replacedBy: d.replacedBy,
            drainUntil: d.drainUntil,
          })
          .from(d)
          .where(inArray(d.username, chunk));
        const byName = new Map(rows.map((r) => [r.username, r]));
        for (const name of chunk) for (const w of batch.get(name) ?? []) w.resolve(byName.get(name) ?? null);
      } catch (err) {
        // Fail these CONNECTs (the client retries); never leave them hanging.
        for (const name of chunk) for (const w of batch.get(name) ?? []) w.reject(err);
      }
    }
  }
}
