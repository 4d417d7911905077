import { EventEmitter } from 'node:events';
import type { Notifications } from '@onestop/store';
import type { Logger } from 'pino';

/**
 * Tells the devices pages open in browsers that the fleet changed: the database signals it
 * (`devices_changed`, `alerts_changed`, sent by the tables' triggers in the writer's transaction),
 * this fans the signal out by unit. Listening starts with the first page and stops with the last,
 * so nothing runs while nobody watches, and nothing ever polls.
 */
export class FleetFeed {
  private readonly bus = new EventEmitter();
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly notifications: Notifications,
    private readonly logger: Logger,
  ) {
    this.bus.setMaxListeners(0);
  }

  /** `listener` gets the units that changed (`null`: anything may have, after a reconnect). */
  subscribe(listener: (unitIds: readonly string[] | null) => void): () => void {
    this.bus.on('changed', listener);
    if (!this.unsubscribe)
      this.unsubscribe = this.notifications.subscribe({
        on: {
          devices_changed: (p) => this.bus.emit('changed', p.unitIds),
          alerts_changed: (p) => this.bus.emit('changed', p.unitIds),
        },
        resync: () => this.bus.emit('changed', null),
        onError: (err) => this.logger.warn({ err: err.message }, 'fleet signals'),
      });
    return () => {
      this.bus.off('changed', listener);
      if (this.bus.listenerCount('changed') === 0) {
        this.unsubscribe?.();
        this.unsubscribe = null;
      }
    };
  }
}
