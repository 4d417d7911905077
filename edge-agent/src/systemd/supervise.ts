import type { Agent } from '../agent/agent.js';
import type { Notifier } from './sd-notify.js';

/** STATUS refresh when systemd asks for no watchdog: `systemctl status` still shows the depth. */
const STATUS_EVERY_MS = 30_000;

export interface Supervision {
  /** Tells systemd the stop is deliberate (STOPPING=1) and ends the keep-alives. */
  stopping(): Promise<void>;
}

/** What `systemctl status` shows on the agent's line: the link and the ratings still on the device. */
export function statusLine(agent: Pick<Agent, 'state'>): string {
  const s = agent.state();
  const link = s.connected ? 'connected' : `offline (${s.link.state})`;
  const dead = s.outbox.deadLetters > 0 ? `, ${s.outbox.deadLetters} dead-lettered` : '';
  return `${link}, outbox ${s.outbox.depth} waiting${dead}`;
}

/**
 * Tells systemd the agent is up (called once `startAgent` resolved: config loaded, outbox open,
 * devices and extensions started) and keeps it told. The keep-alive is a timer on the agent's own
 * event loop at half of `WATCHDOG_USEC`, as sd_watchdog_enabled(3) advises: a loop that hangs (a
 * stuck synchronous call, a busy loop) sends nothing more, and systemd restarts the service —
 * which a separate thread or process pinging on our behalf would never let happen.
 */
export function superviseAgent(
  agent: Pick<Agent, 'state' | 'bus'>,
  notifier: Notifier,
  watchdogMs: number | null,
): Supervision {
  // Between two runtimes of a restart the old outbox is closed: say so rather than throw in a
  // bus listener (which would count as an extension's bug).
  const status = () => {
    try {
      return statusLine(agent);
    } catch {
      return 'restarting';
    }
  };
  void notifier.notify({ READY: '1', STATUS: status() });
  const every = watchdogMs ? Math.max(1, Math.floor(watchdogMs / 2)) : STATUS_EVERY_MS;
  const timer = setInterval(() => {
    void notifier.notify(watchdogMs ? { WATCHDOG: '1', STATUS: status() } : { STATUS: status() });
  }, every);
  // The timer alone must never keep a stopping process alive.
  timer.unref();
  // A link change shows at once, not at the next tick.
  const offLink = agent.bus.on('mqtt.link', () => void notifier.notify({ STATUS: status() }));
  let stopped = false;
  return {
    stopping: async () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      offLink();
      await notifier.notify({ STOPPING: '1', STATUS: 'stopping' });
    },
  };
}
