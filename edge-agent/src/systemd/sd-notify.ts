import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';

/**
 * The sd_notify(3) protocol: newline-separated `KEY=value` lines in one datagram to the AF_UNIX
 * SOCK_DGRAM socket named by `$NOTIFY_SOCKET` (a path, or `@name` for Linux's abstract namespace).
 *
 * Node has no Unix datagram sockets. Weighed:
 * - `node-unix-socket` (chosen for paths): N-API with prebuilt binaries for armv7, aarch64 and x64
 *   glibc — Raspberry Pi OS and Debian need no compiler and no install script — and it sends from
 *   the agent's own process, so systemd attributes every message to the main PID and the unit can
 *   keep `NotifyAccess=main`. It cannot address abstract names (it pads the address to the whole
 *   108-byte sun_path, a different abstract name from the one systemd binds).
 * - `unix-dgram`: a node-gyp build on every board (compiler, headers, approved install script),
 *   and its strncpy'd path cannot name an abstract socket either.
 * - `sd-notify` (libsystemd bindings): correct by construction, but needs libsystemd-dev and a
 *   compiler on every board.
 * - `systemd-notify`: no native code, but the datagram comes from a child PID; systemd drops it
 *   under `NotifyAccess=main` unless the child runs as root (which may claim the parent's PID with
 *   `--pid`). Kept only as the fallback for `@` names and for a platform without the prebuilt
 *   binary, where the unit then needs `NotifyAccess=all`; the agent logs that once.
 */
export interface Notifier {
  /** Sends one message; never throws (a lost keep-alive is systemd's to judge, not a crash). */
  notify(fields: Readonly<Record<string, string>>): Promise<void>;
  close(): void;
  /** How messages leave the process, for the log: `socket` or `systemd-notify`. */
  readonly via: 'socket' | 'systemd-notify';
}

/** One datagram's text; a value may not contain a newline (it would start another field). */
export function encodeNotify(fields: Readonly<Record<string, string>>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k}=${v.replace(/[\r\n]+/g, ' ')}`)
    .join('\n');
}

/** `WATCHDOG_USEC` in milliseconds, when it is meant for this process (`WATCHDOG_PID`). */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv, pid = process.pid): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return null;
  return Math.floor(usec / 1000);
}

interface DgramLike {
  sendTo(buf: Buffer, offset: number, length: number, dest: string, cb?: (err?: Error) => void): void;
  close(): void;
}

const require = createRequire(import.meta.url);

function loadDgram(): (new () => DgramLike) | null {
  try {
    return (require('node-unix-socket') as { DgramSocket: new () => DgramLike }).DgramSocket;
  } catch {
    return null;
  }
}

/**
 * The notifier for this process, or null when no service manager listens (`NOTIFY_SOCKET`
 * unset: run by hand, in tests, under another supervisor), so callers do nothing at all.
 */
export function connectNotify(
  env: NodeJS.ProcessEnv = process.env,
  onError: (err: Error) => void = () => {},
): Notifier | null {
  const target = env.NOTIFY_SOCKET;
  if (!target) return null;
  const Dgram = notifyRoute(target) === 'socket' ? loadDgram() : null;
  if (Dgram) return socketNotifier(new Dgram(), target, onError);
  return commandNotifier(target, onError);
}

/** The system service manager's notification socket, which every system service is given. */
export const SYSTEM_NOTIFY_SOCKET = '/run/systemd/notify';

/**
 * How notifications to `target` leave this process: the one rule for the agent and for the
 * installer, which must write `NotifyAccess=all` when they go through `systemd-notify`.
 */
export function notifyRoute(target: string): Notifier['via'] {
  return target.startsWith('/') && loadDgram() ? 'socket' : 'systemd-notify';
}

function socketNotifier(socket: DgramLike, path: string, onError: (err: Error) => void): Notifier {
  return {
    via: 'socket',
    notify: (fields) =>
      new Promise((resolve) => {
        const buf = Buffer.from(encodeNotify(fields));
        try {
          socket.sendTo(buf, 0, buf.length, path, (err) => {
            if (err) onError(err);
            resolve();
          });
        } catch (e) {
          onError(e as Error);
          resolve();
        }
      }),
    close: () => socket.close(),
  };
}

function commandNotifier(target: string, onError: (err: Error) => void): Notifier {
  return {
    via: 'systemd-notify',
    notify: (fields) =>
      new Promise((resolve) => {
        // systemd-notify sends on behalf of its parent (us) when it runs as root; unprivileged,
        // the child's own PID shows and only `NotifyAccess=all` lets the message through.
        const args = encodeNotify(fields).split('\n');
        execFile('systemd-notify', args, { env: { ...process.env, NOTIFY_SOCKET: target } }, (err) => {
          if (err) onError(err);
          resolve();
        });
      }),
    close: () => {},
  };
}
