import {
  type BirthMessage,
  CommandName,
  type CommandResponse,
  type StatusMessage,
  type TelemetryMessage,
  type UpdateStatus,
} from '@onestop/protocol';
import { LogThrottle } from '@onestop/service';
import {
  type AlertChange,
  applyAlertChanges,
  type Database,
  describeDatabaseError,
  isTransientDatabaseError,
  recordCommandAnswer,
  recordUpdateStatus,
  type schema,
} from '@onestop/store';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { DeviceAlertTracker } from './device-alerts.js';

type Patch = Pick<
  Partial<typeof schema.devices.$inferInsert>,
  | 'lastSeenAt'
  | 'status'
  | 'bootId'
  | 'agentVersion'
  | 'appliedConfigVersion'
  | 'birth'
  | 'birthReceivedAt'
  | 'telemetry'
>;

/**
 * Keeps `devices.status / last_seen_at / birth / telemetry` current without touching the
 * database on the message path: patches are merged per device in memory and written every
 * `intervalMs` in one transaction. Losing the last second of this on a crash is harmless: the
 * next status, birth or telemetry message rewrites it.
 */
export class DeviceStateWriter {
  private pending = new Map<string, Patch>();
  private alertChanges: AlertChange[] = [];
  private readonly alerts = new DeviceAlertTracker();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  /** Writes failed in a row, of device state and of alerts, and their log lines (one a minute). */
  private readonly failing = new Map<string, number>();
  private readonly failures = new LogThrottle();

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    intervalMs = 1_000,
  ) {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  private note(deviceId: string, patch: Patch): void {
    const prev = this.pending.get(deviceId);
    this.pending.set(deviceId, prev ? Object.assign(prev, patch) : patch);
  }

  seen(deviceId: string): void {
    this.note(deviceId, { lastSeenAt: new Date() });
  }

  connected(deviceId: string): void {
    this.note(deviceId, { lastSeenAt: new Date(), status: 'online' });
    this.alertChanges.push(...this.alerts.connection(deviceId, 'online'));
  }

  /** A dropped connection without a graceful `stopped` status reads as offline. */
  disconnected(deviceId: string, graceful: boolean): void {
    this.note(
      deviceId,
      graceful ? { lastSeenAt: new Date() } : { lastSeenAt: new Date(), status: 'offline' },
    );
    if (!graceful) this.alertChanges.push(...this.alerts.connection(deviceId, 'offline'));
  }

  status(deviceId: string, m: StatusMessage): void {
    this.note(deviceId, { lastSeenAt: new Date(), status: m.state, bootId: m.bootId });
    this.alertChanges.push(...this.alerts.connection(deviceId, m.state));
  }

  /**
   * The receipt time is taken now, on the message path, not when the batch is written: with the
   * birth's `mono` it is what anchors the boot on the centre (store time/placement.ts), and the
   * second of batching would loosen that anchor.
   */
  birth(deviceId: string, m: BirthMessage): void {
    const receivedAt = new Date();
    this.note(deviceId, {
      lastSeenAt: receivedAt,
      birthReceivedAt: receivedAt,
      bootId: m.bootId,
      agentVersion: m.agentVersion,
      appliedConfigVersion: m.configVersion,
      birth: m,
    });
  }

  /** A device answered a command: stored at once (rare, and a technician is waiting for it). */
  commandAnswer(deviceId: string, channel: string, m: CommandResponse): void {
    const name = CommandName.safeParse(channel.slice('cmd/'.length, -'/res'.length));
    if (!name.success) return;
    recordCommandAnswer(this.db, deviceId, name.data, m).then(
      (known) => known || this.logger.warn({ deviceId, cmdId: m.cmdId }, 'answer to an unknown command'),
      (err: unknown) =>
        this.logger.error({ err, deviceId, cmdId: m.cmdId }, 'could not store a command answer'),
    );
  }

  /**
   * A board's `update/status`: stored at once, not batched (a few per update, and it may halt a
   * rollout before the next board fetches a broken release), one after another so that a
   * device's reports land in the order they came.
   */
  updateStatus(deviceId: string, m: UpdateStatus): void {
    this.note(deviceId, { lastSeenAt: new Date() });
    this.updates = this.updates
      .then(() => recordUpdateStatus(this.db, deviceId, m))
      .then(
        (moved) => {
          if (moved.halted)
            this.logger.warn({ rolloutId: m.rolloutId, reason: moved.halted }, 'rollout halted');
          if (moved.done) this.logger.info({ rolloutId: m.rolloutId }, 'rollout done');
        },
        (err: unknown) => this.logger.error({ err, deviceId }, 'could not store an update status'),
      );
  }

  private updates: Promise<void> = Promise.resolve();

  telemetry(deviceId: string, m: TelemetryMessage): void {
    this.note(deviceId, { lastSeenAt: new Date(), telemetry: m });
    this.alertChanges.push(...this.alerts.telemetry(deviceId, m));
  }

  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  private async write(): Promise<void> {
    await this.writeDevices();
    await this.writeAlerts();
  }

  private async writeAlerts(): Promise<void> {
    if (this.alertChanges.length === 0) return;
    const changes = this.alertChanges;
    this.alertChanges = [];
    try {
      await applyAlertChanges(this.db, changes);
      this.succeeded('alerts');
    } catch (err) {
      // Kept in front of what came since (the last change per device and kind wins): a device
      // that went offline during an outage still gets its technicians' alert once it ends.
      if (this.failed('alerts', err, changes.length)) this.alertChanges = [...changes, ...this.alertChanges];
      // Refused for good: forgetting makes each device's next report re-send its alert state.
      else for (const c of changes) this.alerts.forget(c.deviceId);
    }
  }

  private async writeDevices(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.pending = new Map();
    // One statement per 1,000 devices: a fleet reconnecting at once must not queue thousands of
    // UPDATEs in front of the CONNECT lookups (PGlite runs one statement at a time).
    let i = 0;
    try {
      for (; i < batch.length; i += 1_000) {
        const rows = batch.slice(i, i + 1_000).map(([id, p]) => ({
          id,
          last_seen_at: p.lastSeenAt?.toISOString() ?? null,
          status: p.status ?? null,
          boot_id: p.bootId ?? null,
          agent_version: p.agentVersion ?? null,
          applied_config_version: p.appliedConfigVersion ?? null,
          birth: p.birth ?? null,
          birth_received_at: p.birthReceivedAt?.toISOString() ?? null,
          telemetry: p.telemetry ?? null,
        }));
        // Every patch carries when it was seen, and only a patch at least as recent as what is
        // stored changes anything but that: a batch kept through an outage on one broker node
        // must not write "offline" over the "online" that another node wrote since.
        const fresh = sql`(d.last_seen_at is null or v.last_seen_at is null or v.last_seen_at >= d.last_seen_at)`;
        await this.db.execute(sql`
          update devices d set
            last_seen_at = greatest(v.last_seen_at, d.last_seen_at),
            -- A replaced board is not its counter's live board: its last connection's end (or a
            -- status it sends) must not make it look online or offline again.
            status = case when d.replaced_by is null and ${fresh} then coalesce(v.status, d.status) else d.status end,
            boot_id = case when ${fresh} then coalesce(v.boot_id, d.boot_id) else d.boot_id end,
            agent_version = case when ${fresh} then coalesce(v.agent_version, d.agent_version) else d.agent_version end,
            applied_config_version = case when ${fresh}
              then coalesce(v.applied_config_version, d.applied_config_version) else d.applied_config_version end,
            birth = case when ${fresh} then coalesce(v.birth, d.birth) else d.birth end,
            birth_received_at = case when ${fresh}
              then coalesce(v.birth_received_at, d.birth_received_at) else d.birth_received_at end,
            telemetry = case when ${fresh} then coalesce(v.telemetry, d.telemetry) else d.telemetry end
          from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(
            id text, last_seen_at timestamptz, status text, boot_id uuid, agent_version text,
            applied_config_version integer, birth jsonb, birth_received_at timestamptz,
            telemetry jsonb)
          where d.id = v.id`);
      }
      this.succeeded('device state');
    } catch (err) {
      // What was not written is kept for the next flush, under whatever arrived since: a device
      // that went offline while the database was away must not stay online on the dashboard.
      if (this.failed('device state', err, batch.length - i))
        for (const [id, patch] of batch.slice(i)) this.pending.set(id, { ...patch, ...this.pending.get(id) });
    }
  }

  /** Whether a failed write is kept to be tried again (the database away), logged once a minute. */
  private failed(what: 'device state' | 'alerts', err: unknown, count: number): boolean {
    const refusal = describeDatabaseError(err);
    // No SQLSTATE: the database did not answer. A transient one passes by itself. Any other is
    // the database refusing these rows: tried again they would block every later write.
    const keep = refusal.code === null || isTransientDatabaseError(err);
    this.failing.set(what, (this.failing.get(what) ?? 0) + 1);
    // Once a second during an outage: one short line a minute, never the statement (KBs of JSON).
    const suppressed = this.failures.take(what);
    if (suppressed !== null)
      this.logger.error(
        { err: refusal, count, suppressed },
        `could not write ${what}; ${keep ? 'kept for the next try' : 'dropped (rewritten by the next report)'}`,
      );
    return keep;
  }

  private succeeded(what: 'device state' | 'alerts'): void {
    const failedWrites = this.failing.get(what);
    if (!failedWrites) return;
    this.logger.info({ failedWrites }, `${what} written again`);
    this.failing.delete(what);
    this.failures.reset(what);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
