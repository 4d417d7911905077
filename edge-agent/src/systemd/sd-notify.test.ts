import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentBus } from '../agent/bus.js';
import { createVirtualInputs } from '../devices/create-inputs.js';
import { runAgent } from '../main.js';
import { connectNotify, encodeNotify, watchdogIntervalMs } from './sd-notify.js';
import { superviseAgent } from './supervise.js';

/**
 * A real AF_UNIX SOCK_DGRAM receiver, as systemd's: python3 binds the path (or the abstract name,
 * exactly as long as systemd binds it) and prints each datagram with its arrival time.
 */
class Receiver {
  readonly messages: Array<{ at: number; text: string }> = [];
  private constructor(private readonly child: ChildProcess) {}

  static start(address: string): Promise<Receiver> {
    const py = `
import json, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
a = sys.argv[1]
s.bind(b'\\0' + a[1:].encode() if a.startswith('@') else a)
print('bound', flush=True)
while True:
    print(json.dumps([time.time() * 1000, s.recv(4096).decode()]), flush=True)
`;
    const child = spawn('python3', ['-c', py, address], { stdio: ['ignore', 'pipe', 'inherit'] });
    const r = new Receiver(child);
    return new Promise((resolve, reject) => {
      let buf = '';
      child.once('error', reject);
      child.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (line === 'bound') resolve(r);
          else {
            const [at, text] = JSON.parse(line) as [number, string];
            r.messages.push({ at, text });
          }
        }
      });
    });
  }

  async waitFor(pred: (texts: string[]) => boolean, ms = 5_000): Promise<string[]> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const texts = this.messages.map((m) => m.text);
      if (pred(texts)) return texts;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`datagrams did not arrive: ${JSON.stringify(this.messages)}`);
  }

  stop(): void {
    this.child.kill();
  }
}

const fakeAgent = (depth = 3, connected = false) => ({
  bus: new AgentBus(),
  state: () =>
    ({
      connected,
      link: { state: connected ? 'connected' : 'reconnecting' },
      outbox: { depth, deadLetters: 0 },
    }) as never,
});

const hasSystemdNotify = (() => {
  try {
    execFileSync('systemd-notify', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('sd_notify over a real datagram socket', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => {
    for (const f of cleanup.splice(0)) f();
  });

  const listen = async (address: string) => {
    const r = await Receiver.start(address);
    cleanup.push(() => r.stop());
    return r;
  };
  const socketPath = () => {
    const dir = mkdtempSync(join(tmpdir(), 'onestop-notify-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    return join(dir, 'notify');
  };

  it('does nothing without NOTIFY_SOCKET', () => {
    expect(connectNotify({})).toBeNull();
  });

  it('reads the watchdog interval meant for this process only', () => {
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '20000000' })).toBe(20_000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '20000000', WATCHDOG_PID: '1' }, 2)).toBeNull();
    expect(watchdogIntervalMs({})).toBeNull();
  });

  it('keeps a value on its own line', () => {
    expect(encodeNotify({ READY: '1', STATUS: 'a\nWATCHDOG=1' })).toBe('READY=1\nSTATUS=a WATCHDOG=1');
  });

  it('sends READY with a status, WATCHDOG at half the interval, then STOPPING', async () => {
    const path = socketPath();
    const receiver = await listen(path);
    const errors: Error[] = [];
    const notifier = connectNotify({ NOTIFY_SOCKET: path }, (e) => errors.push(e));
    expect(notifier?.via).toBe('socket');
    cleanup.push(() => notifier!.close());
    const supervision = superviseAgent(fakeAgent(3), notifier!, 200);
    const texts = await receiver.waitFor((t) => t.filter((m) => m.startsWith('WATCHDOG=1')).length >= 5);
    expect(texts[0]).toBe('READY=1\nSTATUS=offline (reconnecting), outbox 3 waiting');
    expect(texts[1]).toBe('WATCHDOG=1\nSTATUS=offline (reconnecting), outbox 3 waiting');
    const pings = receiver.messages.filter((m) => m.text.startsWith('WATCHDOG=1')).map((m) => m.at);
    // Half of 200 ms: well inside the deadline, yet not a busy stream (the median, as a loaded
    // machine may delay one tick).
    const gaps = pings
      .slice(1)
      .map((at, i) => at - pings[i]!)
      .sort((a, b) => a - b);
    const median = gaps[Math.floor(gaps.length / 2)]!;
    expect(median).toBeGreaterThan(60);
    expect(median).toBeLessThan(180);
    await supervision.stopping();
    await receiver.waitFor((t) => t.includes('STOPPING=1\nSTATUS=stopping'));
    const after = receiver.messages.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.messages.length).toBe(after);
    expect(errors).toEqual([]);
  });

  it('stops the keep-alives while the event loop is blocked', async () => {
    const path = socketPath();
    const receiver = await listen(path);
    const notifier = connectNotify({ NOTIFY_SOCKET: path })!;
    cleanup.push(() => notifier.close());
    const supervision = superviseAgent(fakeAgent(), notifier, 100);
    await receiver.waitFor((t) => t.filter((m) => m.startsWith('WATCHDOG')).length >= 2);
    const end = Date.now() + 600;
    while (Date.now() < end); // a hung loop: a stuck synchronous call
    await receiver.waitFor((t) => t.filter((m) => m.startsWith('WATCHDOG')).length >= 4);
    await supervision.stopping();
    const pings = receiver.messages.filter((m) => m.text.startsWith('WATCHDOG')).map((m) => m.at);
    const longest = Math.max(...pings.slice(1).map((at, i) => at - pings[i]!));
    expect(longest).toBeGreaterThan(500);
  });

  it('reports a link change at once', async () => {
    const path = socketPath();
    const receiver = await listen(path);
    const notifier = connectNotify({ NOTIFY_SOCKET: path })!;
    cleanup.push(() => notifier.close());
    let connected = false;
    const agent = { ...fakeAgent(), state: () => fakeAgent(0, connected).state() };
    const supervision = superviseAgent(agent, notifier, null);
    connected = true;
    agent.bus.emit('mqtt.link', { state: 'connected' } as never);
    await receiver.waitFor((t) => t.includes('STATUS=connected, outbox 0 waiting'));
    await supervision.stopping();
  });

  it.skipIf(!hasSystemdNotify)('reaches an abstract @name through systemd-notify', async () => {
    const name = `@onestop-test-${process.pid}-${Date.now()}`;
    const receiver = await listen(name);
    const notifier = connectNotify({ NOTIFY_SOCKET: name })!;
    expect(notifier.via).toBe('systemd-notify');
    await notifier.notify({ READY: '1', STATUS: 'offline, outbox 2 waiting' });
    const texts = await receiver.waitFor((t) => t.some((m) => m.includes('READY=1')));
    expect(texts.join('\n')).toContain('STATUS=offline, outbox 2 waiting');
  });

  it('tells systemd a real agent is ready once started, and stopping when stopped', async () => {
    const path = socketPath();
    const receiver = await listen(path);
    const dir = mkdtempSync(join(tmpdir(), 'onestop-ready-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'agent.json');
    writeFileSync(
      file,
      JSON.stringify({
        schemaVersion: 2,
        device: { unitId: 'trung-van', counterId: 'q03', deviceId: 'tv-q03-a' },
        // Nobody listens on the discard port: the agent starts offline, as after a power cut.
        mqtt: { url: 'mqtt://127.0.0.1:9', username: 'tv-q03-a', password: 'x' },
        dataDir: dir,
        devices: { keypad: { profile: 'generic-keypad4-fkeys' } },
      }),
    );
    const logger = pino({ level: 'silent' });
    const { inputs } = createVirtualInputs({ keypad: 'generic-keypad4-fkeys' }, logger);
    const agent = await runAgent(file, { inputs, logger }, { NOTIFY_SOCKET: path, WATCHDOG_USEC: '400000' });
    const texts = await receiver.waitFor((t) => t.some((m) => m.startsWith('WATCHDOG=1')));
    expect(texts[0]).toMatch(/^READY=1\nSTATUS=offline \(\w+\), outbox 0 waiting$/);
    await agent.stop();
    await receiver.waitFor((t) => t.at(-1) === 'STOPPING=1\nSTATUS=stopping');
  });
});
