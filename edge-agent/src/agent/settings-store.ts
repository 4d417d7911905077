import { CounterSettings } from '@onestop/protocol';
import type { Logger } from 'pino';
import type { Outbox } from '../outbox/outbox.js';
import type { SettingsStore } from './context.js';

const META_KEY = 'config';

/**
 * Keeps the last applied `config` on disk: after a power cut with no network the counter runs with
 * what the centre last said (roster, scale), not with the factory file.
 */
export class PersistentSettings implements SettingsStore {
  private current: CounterSettings;
  private ver: number | null = null;

  constructor(
    fileDefaults: CounterSettings,
    private readonly outbox: Outbox,
    logger: Logger,
  ) {
    this.current = fileDefaults;
    const saved = outbox.getMeta(META_KEY);
    if (saved === null) return;
    try {
      const { version, settings } = JSON.parse(saved) as { version: number; settings: unknown };
      this.current = CounterSettings.parse(settings);
      this.ver = version;
    } catch (e) {
      logger.warn({ err: (e as Error).message }, 'ignoring unreadable saved config');
    }
  }

  get(): CounterSettings {
    return this.current;
  }

  version(): number | null {
    return this.ver;
  }

  apply(version: number, settings: CounterSettings): void {
    this.current = settings;
    this.ver = version;
    this.outbox.setMeta(META_KEY, JSON.stringify({ version, settings }));
  }
}
