import {
  decodePayload,
  EXAMPLES,
  type ExpressionEvent,
  newEventId,
  type TelemetryMessage,
} from '@onestop/protocol';
import { ingestBatch, provisionDevice, schema } from '@onestop/store';
import { knownDevice, openTestStore, STORE_BACKENDS, type TestStore } from '@onestop/store/testing';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceStateWriter } from './device-state.js';

/**
 * Numbers JavaScript parses but a column cannot hold: subnormal doubles, and magnitudes a `real`
 * column (float4) refuses as out of range. Let through at decode, one of them made the database
 * refuse the whole batch it came in (the broker's device-state write, the ingest's events), so
 * honest devices' messages in that batch were lost. The wire definition refuses them instead.
 */
const UNHOLDABLE = [5e-324, -5e-324, 1e-310, 1e-300, 1e-46, 1e-40, 1.1e-38];

/** Numeric fields of each payload (dotted path) and the sign a device may send there. */
const TELEMETRY_FIELDS = [
  'uptimeS',
  'cpuTempC',
  'load1',
  'memUsedMb',
  'memTotalMb',
  'camera.fps',
  'camera.inferenceMs',
];
const EXPRESSION_FIELDS = ['satisfactionIndex', 'confidence', 'mean.happy', 'exit.sad'];

function withField(base: object, path: string, value: number): string {
  const copy = structuredClone(base) as Record<string, unknown>;
  const keys = path.split('.');
  let node = copy;
  for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
  node[keys.at(-1) as string] = value;
  return JSON.stringify(copy);
}

const logger = pino({ level: 'silent' });

describe.each(STORE_BACKENDS)('numbers a column cannot hold (%s)', (kind) => {
  let store: TestStore;
  let honestId = '';
  let fuzzId = '';
  beforeAll(async () => {
    store = await openTestStore(kind);
    honestId = (await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q01', actor: 't' }))
      .deviceId;
    fuzzId = (await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q02', actor: 't' }))
      .deviceId;
  });
  afterAll(async () => {
    await store?.close();
  });

  it('are refused at decode as malformed, naming the field; honest telemetry of the batch is stored', async () => {
    const writer = new DeviceStateWriter(store.db, logger, 60_000);
    let round = 0;
    try {
      for (const field of TELEMETRY_FIELDS)
        for (const value of UNHOLDABLE.filter((v) => v >= 0 || field === 'cpuTempC')) {
          round += 1;
          const sent = decodePayload(
            'telemetry',
            withField({ ...EXAMPLES.telemetry, deviceId: fuzzId }, field, value),
          );
          expect
            .soft(sent.ok ? 'accepted' : [sent.refusal, sent.field], `${field} = ${value}`)
            .toEqual(['malformed', field]);
          // Whatever the door let through goes into the same batch as an honest device's report.
          if (sent.ok) writer.telemetry(fuzzId, sent.value);
          const honest = decodePayload(
            'telemetry',
            JSON.stringify({ ...EXAMPLES.telemetry, deviceId: honestId, uptimeS: round }),
          );
          if (!honest.ok) throw new Error(honest.reason);
          writer.telemetry(honestId, honest.value);
          await writer.flush();
          const [row] = await store.db.select().from(schema.devices).where(eq(schema.devices.id, honestId));
          expect((row?.telemetry as TelemetryMessage | null)?.uptimeS, `${field} = ${value}`).toBe(round);
        }
    } finally {
      await writer.close();
    }
  });

  it('are refused at decode in a camera estimate; honest estimates of the batch are stored', async () => {
    const base = EXAMPLES['evt/expression'];
    const now = Date.now();
    await knownDevice(store.db, honestId, {
      provisionedAt: now - 86_400_000,
      bootId: base.bootId,
      bootedAtMs: now - 3_600_000,
    });
    const honestEstimate = (): ExpressionEvent => {
      const r = decodePayload(
        'evt/expression',
        JSON.stringify({
          ...base,
          deviceId: honestId,
          eventId: newEventId(),
          ts: now,
          mono: 3_600_000,
          startedAt: now - 60_000,
          endedAt: now - 1_000,
        }),
      );
      if (!r.ok) throw new Error(r.reason);
      return r.value;
    };
    const origin = { unitId: 'trung-van', counterId: 'q01' };
    for (const field of EXPRESSION_FIELDS)
      for (const value of UNHOLDABLE.filter((v) => v >= 0)) {
        const honest = honestEstimate();
        const sent = decodePayload(
          'evt/expression',
          withField({ ...honest, eventId: newEventId() }, field, value),
        );
        expect
          .soft(sent.ok ? 'accepted' : [sent.refusal, sent.field], `${field} = ${value}`)
          .toEqual(['malformed', field]);
        const batch = [{ ...origin, type: 'expression' as const, payload: honest }];
        if (sent.ok) batch.push({ ...origin, type: 'expression' as const, payload: sent.value });
        await ingestBatch(store.db, batch).catch(() => undefined);
        const stored = await store.db
          .select({ id: schema.expressionSummaries.eventId })
          .from(schema.expressionSummaries)
          .where(eq(schema.expressionSummaries.eventId, honest.eventId));
        expect(stored, `${field} = ${value}`).toHaveLength(1);
      }
  });
});
