import { applyAlertChanges, provisionDevice, replaceDevice, revokeDevice, schema } from '@onestop/store';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { peopleSuite } from '../../access/fixture.js';

const NOW = new Date('2026-11-20T03:00:00Z');
const HASH = 'a'.repeat(64);
const cell = (html: string, id: string) =>
  new RegExp(`data-testid="${id}"[^>]*>(?:<a[^>]*>)?(\\d+)<`).exec(html)?.[1];

describe('fleet summary on the devices page', () => {
  const { ctx, as } = peopleSuite('pglite', NOW);
  const ids: string[] = [];
  beforeAll(async () => {
    const db = ctx.store.db;
    for (const [unitId, counterId] of [
      ['trung-van', 'q01'],
      ['trung-van', 'q02'],
      ['trung-van', 'q03'],
      ['kim-anh', 'q01'],
    ] as const)
      ids.push((await provisionDevice(db, { unitId, counterId, actor: 't' })).deviceId);
    const birth = (v: string) => ({ agentVersion: v, models: [{ name: 'face', sha256: HASH }] });
    await db
      .update(schema.devices)
      .set({ status: 'online', agentVersion: '1.2.0', birth: birth('1.2.0'), lastSeenAt: NOW })
      .where(eq(schema.devices.id, ids[0]!));
    await db
      .update(schema.devices)
      .set({
        status: 'offline',
        agentVersion: '1.1.0',
        birth: birth('1.1.0'),
        lastSeenAt: new Date(NOW.getTime() - 3_600_000),
      })
      .where(eq(schema.devices.id, ids[1]!));
    await applyAlertChanges(db, [{ deviceId: ids[1]!, kind: 'offline', message: 'gone' }]);
    await revokeDevice(db, ids[2]!, 't');
    await db
      .update(schema.devices)
      .set({ status: 'online', agentVersion: '1.2.0' })
      .where(eq(schema.devices.id, ids[3]!));
  });

  it('counts states, alerting devices, versions and model hashes, and filters the list', async () => {
    const html = await (await as('tech', '/devices')).text();
    expect(cell(html, 'fleet-total')).toBe('4');
    expect(cell(html, 'fleet-online')).toBe('2');
    expect(cell(html, 'fleet-offline')).toBe('1');
    expect(cell(html, 'fleet-revoked')).toBe('1');
    expect(cell(html, 'fleet-alerting')).toBe('1');
    expect(html).toMatch(/data-testid="fleet-versions"[\s\S]*1\.2\.0<\/a> \(2\)[\s\S]*1\.1\.0<\/a> \(1\)/);
    expect(html).toContain(`title="${HASH}"`);
    const offline = await (await as('tech', '/devices?status=alerting')).text();
    expect([...offline.matchAll(/data-testid="quarantined-([^"]+)"/g)].map((m) => m[1])).toEqual([ids[1]]);
    const v12 = await (await as('tech', '/devices?version=1.2.0&unit=trung-van')).text();
    expect([...v12.matchAll(/data-testid="quarantined-([^"]+)"/g)].map((m) => m[1])).toEqual([ids[0]]);
    expect(cell(v12, 'fleet-total')).toBe('1');
    expect((await as('tech', '/devices?status=broken')).status).toBe(400);
  });

  it('keeps a ward leader to their own unit, whatever the filter asks', async () => {
    const html = await (await as('lead.ka', '/devices?unit=trung-van')).text();
    expect(cell(html, 'fleet-total')).toBe('1');
    const fragment = await (await as('lead.ka', '/devices/fleet/summary?unit=trung-van')).text();
    expect(fragment.startsWith('<section id="fleet-summary"')).toBe(true);
    expect(cell(fragment, 'fleet-total')).toBe('1');
  });

  it('says "changed" on the live stream when a device of the scope changes, from the database signal', async () => {
    const res = await as('lead.tv', '/devices/fleet/live');
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let seen = '';
    const until = async (text: string) => {
      while (!seen.includes(text)) seen += decoder.decode((await reader.read()).value);
    };
    await until('event: hello');
    // Another ward's change is not this stream's news; its own unit's is.
    await ctx.store.db
      .update(schema.devices)
      .set({ status: 'offline' })
      .where(eq(schema.devices.id, ids[3]!));
    await ctx.store.db
      .update(schema.devices)
      .set({ status: 'stopped' })
      .where(eq(schema.devices.id, ids[0]!));
    await until('event: changed');
    await reader.cancel();
    const html = await (await as('tech', '/devices?unit=trung-van')).text();
    expect(cell(html, 'fleet-stopped')).toBe('1');
  });

  it('counts a replaced board as draining, not by its last status, and never as the stalest', async () => {
    const db = ctx.store.db;
    // ids[1] (offline, heard an hour before ids[0]) was the stalest until it is replaced.
    await db
      .update(schema.devices)
      .set({ status: 'offline', lastSeenAt: new Date(NOW.getTime() - 3_600_000) })
      .where(eq(schema.devices.id, ids[1]!));
    const before = await (await as('tech', '/devices?unit=trung-van')).text();
    expect(before).toContain(`Lâu chưa có tin nhất: <a href="/devices/${ids[1]}">`);
    await replaceDevice(db, { deviceId: ids[1]!, actor: 't' });
    const html = await (await as('tech', '/devices?unit=trung-van')).text();
    expect(html).toContain('Đang chuyển dữ liệu');
    expect(cell(html, 'fleet-draining')).toBe('1');
    expect(cell(html, 'fleet-offline')).toBe('0');
    expect(html).toContain(`Lâu chưa có tin nhất: <a href="/devices/${ids[0]}">`);
    const listed = await (await as('tech', '/devices?status=draining')).text();
    expect([...listed.matchAll(/data-testid="quarantined-([^"]+)"/g)].map((m) => m[1])).toEqual([ids[1]]);
  });
});
