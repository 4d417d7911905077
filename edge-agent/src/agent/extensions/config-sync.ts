import { decodePayload } from '@onestop/protocol';
import type { AgentContext, Extension } from '../context.js';
import type { PersistentSettings } from '../settings-store.js';

/** Applies the retained `config` live; an invalid one is refused with its reason and the old one kept. */
export class ConfigSync implements Extension {
  readonly name = 'config-sync';
  private off: (() => void) | null = null;

  constructor(
    private readonly ctx: AgentContext,
    private readonly store: PersistentSettings,
    private readonly onApplied: () => void,
  ) {}

  start(): void {
    this.off = this.ctx.bus.on('mqtt.message', (m) => {
      if (m.channel !== 'config') return;
      const r = decodePayload('config', m.payload);
      if (!r.ok) {
        this.ctx.bus.emit('rejected', { source: 'mqtt config', reason: r.reason });
        this.ctx.logger.warn({ reason: r.reason }, 'rejected config; keeping the current settings');
        return;
      }
      const { version, settings } = r.value;
      if (version === this.store.version() && JSON.stringify(settings) === JSON.stringify(this.store.get()))
        return;
      this.store.apply(version, settings);
      this.ctx.logger.info({ version }, 'applied config');
      this.ctx.bus.emit('config.applied', { version, settings });
      this.onApplied();
    });
  }

  stop(): void {
    this.off?.();
  }
}
