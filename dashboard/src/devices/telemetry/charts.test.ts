import { provisionDevice, schema } from '@onestop/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { peopleSuite } from '../../access/fixture.js';
import { TELEMETRY_SERIES } from './charts.js';

const NOW = new Date('2026-11-20T03:00:00Z');

describe('telemetry charts on the device page', () => {
  const { ctx, as } = peopleSuite('pglite', NOW);
  let id = '';
  let quiet = '';
  beforeAll(async () => {
    id = (await provisionDevice(ctx.store.db, { unitId: 'trung-van', counterId: 'q01', actor: 't' }))
      .deviceId;
    quiet = (await provisionDevice(ctx.store.db, { unitId: 'trung-van', counterId: 'q02', actor: 't' }))
      .deviceId;
    const start = Math.floor(Date.now() / 60_000) * 60_000 - 30 * 60_000;
    await ctx.store.db.insert(schema.deviceTelemetry).values(
      Array.from({ length: 30 }, (_, i) => ({
        deviceId: id,
        minute: new Date(start + i * 60_000),
        cpuTempC: 50 + i,
        load1: 0.5,
        cameraFps: i % 10 === 0 ? null : 5,
        outboxDepth: i * 2,
      })),
    );
  });

  it('draws temperature, load, camera fps and outbox depth from the stored minutes', async () => {
    const html = await (await as('tech', `/devices/${id}`)).text();
    for (const s of TELEMETRY_SERIES) expect(html).toContain(`data-chart="telemetry-${s}"`);
    expect(html).toMatch(/data-chart="telemetry-cpuTempC"[\s\S]*?<svg class="chart"[\s\S]*?<\/svg>/);
    expect(html).toContain('Nhiệt độ CPU (°C): 30 phút có số đo, thấp nhất 50, cao nhất 79, gần nhất 79.');
    expect(html).toContain('Camera (khung hình/giây): 27 phút có số đo');
  });

  it('says so when nothing is stored', async () => {
    const html = await (await as('tech', `/devices/${quiet}?lang=en`)).text();
    expect(html).toMatch(/data-testid="telemetry-charts">No telemetry stored yet\./);
  });
});
