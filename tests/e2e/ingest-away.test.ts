import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrokerHandle } from '@onestop/broker';
import { startTestBroker } from '@onestop/broker/testing';
import type { Agent } from '@onestop/edge-agent';
import { startVirtualBoard, TcpProxy } from '@onestop/edge-agent/testing';
import { type IngestHandle, startIngest } from '@onestop/ingest';
import type { IngestState } from '@onestop/protocol';
import {
  openAroundTheClock,
  provision,
  servicePassword,
  silentLogger,
  uniqueUnit,
  waitFor,
} from '@onestop/service/testing';
import { schema } from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import { eq } from 'drizzle-orm';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The ingest subscribes on a clean session, so the broker drops what a device sends while it is
 * away. Before the ingest said whether it listens, such an event waited for its ack timeout and
 * then counted as refused, since the ingest, back, had acknowledged later ones: a few crashes of
 * the ingest and healthy ratings were set aside as dead letters on every counter. Here one strike
 * is enough to set an event aside, and the ack timeout is short, so that the old way fails.
 */
describe('the ingest away and back', () => {
  let store: TestStore;
  let broker: BrokerHandle;
  let ingest: IngestHandle;
  let agent: Agent;
  let rate: (ticket: string) => void;
  let ingestLine: TcpProxy;
  const heard: IngestState[] = [];
  const recorded: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'onestop-ingest-away-'));
  const unit = uniqueUnit('away');
  const password = servicePassword();

  beforeAll(async () => {
    store = await openTestStore('pglite');
    broker = await startTestBroker(store, {
      serviceCredentials: [{ username: 'ingest', password, role: 'ingest' }],
    });
    await openAroundTheClock(store, unit);
    // The ingest's line to the broker, cut as a crash would cut it: no DISCONNECT, so its will is said.
    ingestLine = new TcpProxy('127.0.0.1', broker.port);
    await ingestLine.start();
    ingest = await startIngest({
      store,
      mqttUrl: ingestLine.url,
      username: 'ingest',
      password,
      clientId: `ingest-${unit}`,
      registry: new Registry(),
      logger: silentLogger,
    });
    const creds = await provision(store, unit, 'q01');
    const board = await startVirtualBoard({
      device: { unitId: unit, counterId: 'q01', deviceId: creds.deviceId },
      mqtt: { url: `mqtt://127.0.0.1:${broker.port}`, username: creds.username, password: creds.password },
      dataDir,
      settings: { undoWindowMs: 0 },
      logger: silentLogger,
      publisher: { ackTimeoutMs: 400, deadLetterAfter: 1 },
    });
    agent = board.agent;
    rate = (ticket) => board.rate(ticket);
    agent.bus.on('centre.ingest', (s) => void heard.push(s));
    agent.bus.on('event.recorded', (r) => void recorded.push(r.entry.eventId));
    await agent.bus.once('mqtt.connected', () => true, 10_000);
  }, 30_000);
  afterAll(async () => {
    await agent?.stop();
    await ingest?.close();
    await broker?.close();
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const stored = async () =>
    (
      await store.db
        .select({ id: schema.events.eventId })
        .from(schema.events)
        .where(eq(schema.events.unitId, unit))
    ).length;
  const onlineHeard = () => heard.filter((s) => s.online).length;

  it('hears the ingest listening, its will when it dies, and stores what went meanwhile', async () => {
    await waitFor(() => onlineHeard() >= 1, 5_000, 'retained state after the connect');
    rate('L1');
    await waitFor(() => agent.state().outbox.depth === 0, 5_000, 'first visit acked');

    await ingestLine.cut();
    await waitFor(() => heard.at(-1)?.online === false, 5_000, 'the will');
    // Sent, taken by the broker, and dropped: nobody subscribes. Kept waiting past its ack
    // timeout, so that it is re-sent into the void too.
    rate('L2');
    expect(agent.state().outbox.depth).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1_000));

    await ingestLine.restore();
    await waitFor(() => onlineHeard() >= 2, 20_000, 'the ingest listening again').catch((e: Error) => {
      throw new Error(
        `${e.message}; heard ${JSON.stringify(heard)}; ingest ${JSON.stringify(ingest.health())}`,
      );
    });
    // At once a later visit, acknowledged before any earlier delivery's timeout is up: the old
    // way then counted the visit sent while the ingest was away as refused.
    rate('L3');
    await waitFor(() => agent.state().outbox.depth === 0, 10_000, 'every visit acked');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(agent.state().outbox.deadLetters).toBe(0);
    expect(recorded.length).toBeGreaterThanOrEqual(9); // three visits: start, end, rating
    expect(await stored()).toBe(recorded.length);
  }, 30_000);
});
