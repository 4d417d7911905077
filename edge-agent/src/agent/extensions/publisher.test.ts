import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePayload } from '@onestop/protocol';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Outbox } from '../../outbox/outbox.js';
import type { PublishOptions, Transport } from '../../transport/transport.js';
import { AgentBus } from '../bus.js';
import type { AgentContext } from '../context.js';
import { Publisher } from './publisher.js';

class FakeTransport implements Transport {
  connected = true;
  sent: string[] = [];
  topics: string[] = [];
  async publish(topic: string, payload: Buffer, _opts: PublishOptions): Promise<void> {
    this.sent.push((JSON.parse(payload.toString()) as { ticket: string }).ticket);
    this.topics.push(topic);
  }
  async subscribe(): Promise<void> {}
  async stop(): Promise<void> {}
}

const opened: Outbox[] = [];
afterEach(() => {
  for (const o of opened.splice(0)) o.close();
  vi.useRealTimers();
});

function harness(window: number, opts: { deadLetterAfter?: number; dataDir?: string } = {}) {
  let mono = 0;
  const clock = { now: () => 1_764_000_000_000, mono: () => mono };
  const outbox = new Outbox({
    dataDir: opts.dataDir ?? mkdtempSync(join(tmpdir(), 'pub-')),
    address: { unitId: 'u', counterId: 'c', deviceId: 'd' },
    capacity: 1000,
    alertAt: 1000,
    clock,
  });
  opened.push(outbox);
  const bus = new AgentBus();
  const transport = new FakeTransport();
  // Only what the publisher touches; the rest of the context is irrelevant here.
  const ctx = {
    bus,
    outbox,
    transport,
    clock,
    logger: pino({ level: 'silent' }),
    address: { unitId: 'u', counterId: 'c', deviceId: 'd' },
  };
  const pub = new Publisher(ctx as unknown as AgentContext, {
    window,
    ackTimeoutMs: 1_000,
    deadLetterAfter: opts.deadLetterAfter ?? 3,
  });
  const add = (ticket: string) =>
    outbox.append('evt/rating', {
      visitId: null,
      officerId: null,
      dossierIds: [],
      ticket,
      scale: 'keypad4',
      level: 4,
      source: 'keypad',
      reasons: [],
      responseMs: null,
    }).eventId;
  const ack = (ids: string[]) =>
    bus.emit('mqtt.message', {
      channel: 'ack',
      payload: encodePayload('ack', { v: 1, ts: 1_764_000_000_000, eventIds: ids }),
    });
  /** Lets the publisher's ack-timeout check run once `ms` of monotonic time have passed. */
  const elapse = async (ms: number) => {
    mono += ms;
    vi.advanceTimersByTime(250);
    await Promise.resolve(); // PUBACKs of the re-sends
  };
  let ts = 1_764_000_000_000;
  /** What the broker hands on from `INGEST_STATE`: a new `ts` is a new connection of the ingest. */
  const ingest = (online: boolean) =>
    bus.emit('centre.ingest', online ? { v: 1, online: true, ts: ++ts } : { v: 1, online: false });
  return { pub, transport, bus, add, ack, ingest, outbox, elapse, advance: (ms: number) => (mono += ms) };
}

describe('Publisher', () => {
  it('keeps at most `window` events in flight, in order, and moves on as acks arrive', () => {
    const h = harness(2);
    const ids = ['A1', 'A2', 'A3', 'A4', 'A5'].map(h.add);
    h.pub.start();
    expect(h.transport.sent).toEqual(['A1', 'A2']);
    h.ack([ids[0]!]);
    expect(h.transport.sent).toEqual(['A1', 'A2', 'A3']);
    h.ack([ids[1]!, ids[2]!]);
    expect(h.transport.sent).toEqual(['A1', 'A2', 'A3', 'A4', 'A5']);
    expect(h.outbox.stats().depth).toBe(2);
    h.pub.stop();
  });

  it('re-sends everything un-acked after a reconnect, oldest first', () => {
    const h = harness(10);
    const ids = ['B1', 'B2', 'B3'].map(h.add);
    h.pub.start();
    h.ack([ids[1]!]);
    h.transport.connected = false;
    h.bus.emit('mqtt.disconnected', { reason: 'test' });
    h.add('B4'); // recorded while offline: not sent
    expect(h.transport.sent).toEqual(['B1', 'B2', 'B3']);
    h.transport.connected = true;
    h.bus.emit('mqtt.connected', { resumed: false });
    expect(h.transport.sent.slice(3)).toEqual(['B1', 'B3', 'B4']);
    h.pub.stop();
  });

  it('sends a newly recorded event at once when there is room', () => {
    const h = harness(4);
    h.pub.start();
    const id = h.add('C1');
    h.bus.emit('event.recorded', {
      entry: h.outbox.pending(1)[0]!,
      event: {
        channel: 'evt/presence',
        body: { kind: 'session', state: 'signed_in', officerId: 'x', source: 'badge' },
      },
    });
    expect(h.transport.sent).toEqual(['C1']);
    expect(h.pub.inFlight).toBe(1);
    h.ack([id]);
    expect(h.pub.inFlight).toBe(0);
    h.pub.stop();
  });

  it('re-sends every un-acked event once the ack timeout passes, and not before', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const h = harness(10);
    const ids = ['E1', 'E2', 'E3'].map(h.add);
    h.pub.start();
    await Promise.resolve();
    h.ack([ids[1]!]);
    await h.elapse(900); // within ackTimeoutMs: nothing is sent again
    expect(h.transport.sent).toEqual(['E1', 'E2', 'E3']);
    await h.elapse(200);
    expect(h.transport.sent).toEqual(['E1', 'E2', 'E3', 'E1', 'E3']);
    expect(h.outbox.stats().depth).toBe(2);
    h.ack([ids[0]!, ids[2]!]);
    await h.elapse(5_000);
    expect(h.transport.sent).toHaveLength(5);
    expect(h.pub.inFlight).toBe(0);
    h.pub.stop();
  });

  it('waits twice as long after each unanswered re-send, and the base time again once answered', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const h = harness(10);
    const ids = ['E1', 'E2'].map(h.add);
    h.pub.start();
    await Promise.resolve();
    const sends = () => h.transport.sent.length;
    // Timeout 1 s: re-sent after 1 s, then 2 s, then 4 s, then 8 s at most (a slow centre).
    await h.elapse(1_100);
    expect(sends()).toBe(4);
    await h.elapse(1_100);
    expect(sends()).toBe(4);
    await h.elapse(1_000);
    expect(sends()).toBe(6);
    await h.elapse(3_900);
    expect(sends()).toBe(6);
    await h.elapse(200);
    expect(sends()).toBe(8);
    for (const expected of [10, 12]) {
      await h.elapse(7_900);
      expect(sends()).toBe(expected - 2);
      await h.elapse(200);
      expect(sends()).toBe(expected); // capped: 8 s each time
    }
    // The centre acks a re-sent event: which copy, nobody knows (Karn): still 8 s for the other.
    h.ack([ids[0]!]);
    await h.elapse(1_100);
    expect(sends()).toBe(12);
    // A fresh event, sent once, acked: the delay now is known to be short, back to 1 s.
    const fresh = h.add('E3');
    h.pub.pump();
    await Promise.resolve();
    h.ack([fresh]);
    expect(sends()).toBe(13);
    await h.elapse(1_100);
    expect(sends()).toBe(14);
    expect(h.transport.sent.at(-1)).toBe('E2');
    h.pub.stop();
  });

  it('publishes each event on the topic it was recorded with', () => {
    const h = harness(4);
    h.add('T1');
    h.pub.start();
    expect(h.transport.topics).toEqual(['onestop/v1/u/c/d/evt/rating']);
    h.pub.stop();
  });

  it.each([
    ['from a centre that does not say whether it listens', false],
    ['while the ingest is heard listening', true],
  ])(
    'dead-letters an event the server keeps ignoring while acking others, and moves on (%s)',
    async (_, said) => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      const h = harness(2, { deadLetterAfter: 3 });
      const dead: string[][] = [];
      h.bus.on('event.dead-lettered', (e) => dead.push(e.eventIds));
      h.pub.start();
      if (said) h.ingest(true);
      h.advance(10);
      const poison = h.add('P1');
      h.pub.pump();
      await Promise.resolve();
      for (let i = 0; i < 3; i++) {
        // The server stores (and acks) every other event, never the poisoned one.
        const good = h.add(`G${i}`);
        h.pub.pump();
        await Promise.resolve();
        h.ack([good]);
        await h.elapse(1_100);
      }
      expect(dead).toEqual([[poison]]);
      expect(h.outbox.stats()).toMatchObject({ depth: 0, deadLetters: 1 });
      const [kept] = h.outbox.deadLetters();
      expect(kept).toMatchObject({ eventId: poison, strikes: 3, topic: 'onestop/v1/u/c/d/evt/rating' });
      expect(kept?.reason).toMatch(/not acknowledged after 3 deliveries/);
      const n1 = h.add('N1');
      h.pub.pump();
      expect(h.transport.sent.at(-1)).toBe('N1');
      // The technician fixed the server side and sent `retry-dead-letters`: the event goes again,
      // before newer ones (it keeps its place), and an ack finally drops it.
      h.ack([n1]);
      expect(h.outbox.requeueDeadLetters()).toBe(1);
      h.bus.emit('outbox.requeued', { count: 1 });
      expect(h.transport.sent.at(-1)).toBe('P1');
      expect(h.outbox.stats()).toMatchObject({ depth: 1, deadLetters: 0 });
      h.ack([poison]);
      expect(h.outbox.stats()).toMatchObject({ depth: 0, deadLetters: 0 });
      h.pub.stop();
    },
  );

  it('does not count late acks of earlier sends against the events sent after them', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const h = harness(4, { deadLetterAfter: 2 });
    const dead: string[][] = [];
    h.bus.on('event.dead-lettered', (e) => dead.push(e.eventIds));
    const ids = ['S1', 'S2', 'S3'].map((l) => h.add(l));
    h.pub.start();
    await Promise.resolve();
    // A slow ingest catching up: each round only the oldest delivery's ack comes back.
    for (const id of ids) {
      await h.elapse(1_100);
      h.ack([id]);
    }
    expect(dead).toEqual([]);
    expect(h.outbox.stats()).toMatchObject({ depth: 0, deadLetters: 0 });
    h.pub.stop();
  });

  it('never counts a delivery made while the ingest was away, however often it comes and goes', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const h = harness(4, { deadLetterAfter: 2 });
    const dead: string[][] = [];
    h.bus.on('event.dead-lettered', (e) => dead.push(e.eventIds));
    h.pub.start();
    h.ingest(true); // the retained word after the connect
    for (let i = 0; i < 5; i++) {
      // The ingest dies (its will), X goes while nobody subscribes (the broker drops it), the
      // ingest returns and acknowledges an event sent after X; X's ack timeout then expires.
      h.ingest(false);
      h.add(`X${i}`);
      h.pub.pump();
      await Promise.resolve();
      h.advance(10);
      const later = h.add(`L${i}`);
      h.pub.pump();
      await Promise.resolve();
      h.ack([later]);
      await h.elapse(1_100);
    }
    expect(dead).toEqual([]);
    expect(h.outbox.stats()).toMatchObject({ deadLetters: 0 });
    h.pub.stop();
  });

  it('does not count a delivery sent before the ingest was heard after a connect', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const h = harness(4, { deadLetterAfter: 1 });
    const dead: string[][] = [];
    h.bus.on('event.dead-lettered', (e) => dead.push(e.eventIds));
    h.add('B1');
    h.pub.start(); // the connect's re-send: B1 goes before any word of the ingest
    await Promise.resolve();
    h.advance(10);
    h.ingest(true);
    h.advance(10);
    const later = h.add('B2');
    h.pub.pump();
    await Promise.resolve();
    h.ack([later]);
    await h.elapse(1_100);
    expect(dead).toEqual([]);
    h.pub.stop();
  });

  it('takes an ack as proof the ingest listens, whatever stale "offline" it heard', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const h = harness(4, { deadLetterAfter: 2 });
    const dead: string[][] = [];
    h.bus.on('event.dead-lettered', (e) => dead.push(e.eventIds));
    h.pub.start();
    h.ingest(true);
    // A dead cluster node's will of the ingest's earlier connection, said late: the ingest listens.
    h.ingest(false);
    h.advance(10);
    const poison = h.add('P1');
    for (let i = 0; i < 3; i++) {
      const good = h.add(`G${i}`);
      h.pub.pump();
      await Promise.resolve();
      h.ack([good]);
      await h.elapse(1_100);
    }
    expect(dead).toEqual([[poison]]);
    h.pub.stop();
  });

  it('re-sends at once what went while the ingest was away when it is heard listening again', async () => {
    const h = harness(4);
    h.pub.start();
    h.ingest(true);
    h.ingest(false);
    h.add('R1');
    h.pub.pump();
    expect(h.transport.sent).toEqual(['R1']);
    h.ingest(true);
    // Not after the ack timeout: now.
    expect(h.transport.sent).toEqual(['R1', 'R1']);
    // The same word again (a duplicate delivery) is no new connection of the ingest.
    h.bus.emit('centre.ingest', { v: 1, online: true, ts: 1_764_000_000_003 });
    h.bus.emit('centre.ingest', { v: 1, online: true, ts: 1_764_000_000_003 });
    expect(h.transport.sent).toEqual(['R1', 'R1', 'R1']);
    h.pub.stop();
  });

  it('does not send everything twice when the first word after a connect is a new ingest', () => {
    const h = harness(4);
    h.add('F1');
    h.pub.start();
    h.ingest(true);
    h.transport.connected = false;
    h.bus.emit('mqtt.disconnected', { reason: 'test' });
    h.transport.connected = true;
    h.bus.emit('mqtt.connected', { resumed: false });
    h.ingest(true); // retained: the ingest moved to another broker while this device was away
    expect(h.transport.sent).toEqual(['F1', 'F1']);
    h.pub.stop();
  });

  it('sets nothing aside while the server acknowledges nothing at all (ingest down)', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const h = harness(4, { deadLetterAfter: 2 });
    h.add('S1');
    h.pub.start();
    await Promise.resolve();
    for (let i = 0; i < 10; i++) await h.elapse(1_100);
    expect(h.outbox.stats()).toMatchObject({ depth: 1, deadLetters: 0 });
    // Sent, then re-sent after 1, 2 and 4 s of silence (the timeout doubling each time).
    expect(h.transport.sent).toHaveLength(4);
    h.pub.stop();
  });
});
