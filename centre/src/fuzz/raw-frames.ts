import { connect } from 'node:net';
import type { DeviceAddress } from '@onestop/protocol';
import fc from 'fast-check';
import mqttPacket from 'mqtt-packet';

export const RAW_FRAME_KINDS = [
  'mutated',
  'random',
  'wrong-password',
  'publish-first',
  'declares-oversized',
  'length-over-4-bytes',
  'refused-topic',
] as const;
export type RawFrameKind = (typeof RAW_FRAME_KINDS)[number];
/** Kinds the broker must count as a refusal every time (auth failure, or a header it cuts at). */
export const ALWAYS_REFUSED: readonly RawFrameKind[] = [
  'wrong-password',
  'declares-oversized',
  'length-over-4-bytes',
  'refused-topic',
];

export interface RawFrameFigures {
  frames: number;
  byKind: Record<RawFrameKind, number>;
  /** Connections the broker closed by itself within the wait. */
  closedByBroker: number;
  /** Refusals the broker counted while the frames were sent, by reason (filled in by the caller). */
  refusals: Record<string, number>;
  /** Whether an honest device was still served afterwards (filled in by the caller). */
  brokerAliveAfter: boolean;
}

type RawDevice = DeviceAddress & { username: string; password: string };

const gen = (p: object) => mqttPacket.generate(p as mqttPacket.Packet);

/** A QoS 0 PUBLISH written by hand: mqtt-packet refuses to generate an empty topic. */
function rawPublish(topic: string): Buffer {
  const t = Buffer.from(topic);
  const payload = Buffer.from('{}');
  const len = 2 + t.length + payload.length;
  const header = len < 128 ? [0x30, len] : [0x30, (len % 128) | 0x80, Math.floor(len / 128)];
  return Buffer.concat([Buffer.from([...header, t.length >> 8, t.length & 0xff]), t, payload]);
}

function connectPacket(clientId: string, username: string, password: string): Buffer {
  return gen({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    clientId,
    keepalive: 30,
    username,
    password: Buffer.from(password),
  });
}

function frameOf(device: RawDevice) {
  const valid = fc.oneof(
    fc
      .tuple(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }))
      .map(([c, u, p]) => connectPacket(c, u, p)),
    fc.constant(gen({ cmd: 'pingreq' })),
    fc.constant(gen({ cmd: 'disconnect' })),
    fc.constant(gen({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '#', qos: 1 }] })),
    fc.constant(
      gen({
        cmd: 'publish',
        topic: 'onestop/v1/a/b/c/evt/rating',
        payload: Buffer.from('{}'),
        qos: 1,
        messageId: 7,
      }),
    ),
  );
  const flip = fc.tuple(valid, fc.array(fc.nat(), { minLength: 1, maxLength: 4 })).map(([b, at]) => {
    const c = Buffer.from(b);
    for (const i of at) c[i % c.length] = (c[i % c.length] as number) ^ (1 << (i % 8));
    return c;
  });
  const cut = fc.tuple(valid, fc.nat()).map(([b, n]) => b.subarray(0, n % b.length));
  return fc.oneof(
    { weight: 4, arbitrary: fc.oneof(flip, cut).map((b) => ({ kind: 'mutated' as const, bytes: b })) },
    {
      weight: 2,
      arbitrary: fc
        .uint8Array({ minLength: 1, maxLength: 256 })
        .map((b) => ({ kind: 'random' as const, bytes: Buffer.from(b) })),
    },
    {
      weight: 1,
      arbitrary: fc.string({ minLength: 1, maxLength: 20 }).map((p) => ({
        kind: 'wrong-password' as const,
        bytes: connectPacket(device.deviceId, device.username, `wrong-${p}`),
      })),
    },
    {
      weight: 1,
      arbitrary: fc.constant({
        kind: 'publish-first' as const,
        bytes: gen({
          cmd: 'publish',
          topic: `onestop/v1/${device.unitId}/${device.counterId}/${device.deviceId}/evt/rating`,
          payload: Buffer.from('{}'),
          qos: 0,
        }),
      }),
    },
    {
      weight: 1,
      // A CONNECT declaring 9 KiB to 256 MiB: cut at the header, before any of it is buffered.
      arbitrary: fc.integer({ min: 9 * 1024, max: 268_435_455 }).map((n) => {
        const len: number[] = [];
        let x = n;
        do {
          let byte = x % 128;
          x = Math.floor(x / 128);
          if (x > 0) byte |= 0x80;
          len.push(byte);
        } while (x > 0);
        return { kind: 'declares-oversized' as const, bytes: Buffer.from([0x10, ...len]) };
      }),
    },
    {
      weight: 1,
      // Logged in, then a topic aedes refuses by itself: over 100 levels, a wildcard, empty.
      arbitrary: fc
        .constantFrom(`onestop/v1${'/x'.repeat(120)}`, 'onestop/v1/#', 'onestop/+/a', '')
        .map((topic) => ({
          kind: 'refused-topic' as const,
          bytes: Buffer.concat([
            connectPacket(device.deviceId, device.username, device.password),
            rawPublish(topic),
          ]),
        })),
    },
    {
      weight: 1,
      arbitrary: fc.constant({
        kind: 'length-over-4-bytes' as const,
        bytes: Buffer.from([0x10, 0x81, 0x81, 0x81, 0x81, 0x01]),
      }),
    },
  );
}

/**
 * Raw frames over TCP, one connection each: what a scanner, a broken client or an attacker sends
 * before (or instead of) a proper MQTT session. Waits up to `waitMs` for the broker to close each.
 */
export async function sendRawFrames(opts: {
  port: number;
  frames: number;
  seed: number;
  device: RawDevice;
  waitMs?: number;
  concurrency?: number;
}): Promise<RawFrameFigures> {
  const waitMs = opts.waitMs ?? 300;
  const byKind = Object.fromEntries(RAW_FRAME_KINDS.map((k) => [k, 0])) as Record<RawFrameKind, number>;
  let closedByBroker = 0;
  const frames = fc.sample(frameOf(opts.device), { seed: opts.seed, numRuns: opts.frames });
  // Frames that must be refused get the time a login takes to be refused and closed.
  const one = (bytes: Buffer, kind: RawFrameKind) =>
    new Promise<void>((resolve) => {
      const wait = ALWAYS_REFUSED.includes(kind) ? 10_000 : waitMs;
      const socket = connect(opts.port, '127.0.0.1');
      const timer = setTimeout(() => {
        socket.destroy();
        resolve();
      }, wait);
      socket.on('error', () => {});
      socket.on('data', () => {});
      socket.on('connect', () => socket.write(bytes));
      socket.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.on('end', () => {
        closedByBroker++;
        socket.destroy();
      });
    });
  let next = 0;
  await Promise.all(
    Array.from({ length: opts.concurrency ?? 16 }, async () => {
      while (next < frames.length) {
        const f = frames[next++]!;
        byKind[f.kind]++;
        await one(f.bytes, f.kind);
      }
    }),
  );
  return { frames: frames.length, byKind, closedByBroker, refusals: {}, brokerAliveAfter: false };
}
