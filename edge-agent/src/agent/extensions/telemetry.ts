import { readFileSync } from 'node:fs';
import { freemem, loadavg, totalmem, uptime } from 'node:os';
import type { PayloadOf } from '@onestop/protocol';
import type { AgentContext, Extension } from '../context.js';

/** Board temperature when the kernel exposes it (Raspberry Pi, most SBCs); null elsewhere. */
export function readCpuTempC(file = '/sys/class/thermal/thermal_zone0/temp'): number | null {
  try {
    const milli = Number(readFileSync(file, 'utf8').trim());
    if (!Number.isFinite(milli)) return null;
    const c = milli / 1000;
    return c >= -40 && c <= 150 ? Math.round(c * 10) / 10 : null;
  } catch {
    return null;
  }
}

/** QoS 0 numbers to keep a device alive by; nothing personal. Interval follows live settings. */
export class Telemetry implements Extension {
  readonly name = 'telemetry';
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly ctx: AgentContext,
    private readonly ignoredPresses: () => number,
  ) {}

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.send().finally(() => this.schedule());
    }, this.ctx.settings.get().telemetryIntervalMs);
    this.timer.unref();
  }

  snapshot(): PayloadOf<'telemetry'> {
    const { ctx } = this;
    const ob = ctx.outbox.stats();
    const mb = (b: number) => Math.round(b / 1_048_576);
    return {
      v: 1,
      deviceId: ctx.address.deviceId,
      bootId: ctx.outbox.bootId,
      ts: ctx.clock.now(),
      uptimeS: Math.round(uptime()),
      cpuTempC: readCpuTempC(),
      load1: Math.max(0, loadavg()[0] ?? 0),
      memUsedMb: mb(totalmem() - freemem()),
      memTotalMb: mb(totalmem()),
      camera: ctx.camera(),
      outbox: { depth: ob.depth, capacity: ob.capacity, oldestTs: ob.oldestTs, deadLetters: ob.deadLetters },
      hid: ctx.inputs.status().map((h) => ({ role: h.role, state: h.state, name: h.name })),
      ignoredPresses: this.ignoredPresses(),
    };
  }

  async send(): Promise<void> {
    if (!this.ctx.transport.connected) return;
    const snap = this.snapshot();
    const stats = this.ctx.outbox.stats();
    if (snap.outbox.depth >= stats.alertAt) {
      this.ctx.logger.warn({ depth: snap.outbox.depth }, 'outbox above alert threshold');
    }
    // Also in telemetry (the centre raises an alert); logged every interval as well, so that
    // events set aside are never forgotten on a device that cannot reach the centre.
    if (stats.deadLetters > 0) {
      this.ctx.logger.error({ deadLetters: stats.deadLetters }, 'outbox holds dead-lettered events');
    }
    await this.ctx.publish('telemetry', snap).catch(() => {});
  }
}
