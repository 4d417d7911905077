import { getDeviceConfig, openStaffSession, provisionDevice } from '@onestop/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Account, peopleSuite } from '../../access/fixture.js';
import { SESSION_COOKIE } from '../../auth/access.js';
import { SETTING_FIELDS } from './form.js';

const NOW = new Date('2026-11-20T03:00:00Z');
const ORIGIN = { origin: 'http://localhost' };

const VALID = {
  scale: 'keypad5',
  ratingTimeoutMs: '15000',
  minPressIntervalMs: '1500',
  undoWindowMs: '3000',
  visitIdleTimeoutMs: '1800000',
  commentUrl: 'https://gopy.example/tv',
  telemetryIntervalMs: '30000',
  'reasons.0.code': 'slow',
  'reasons.0.vi': 'Chờ lâu',
  'reasons.0.en': 'Long wait',
};

describe('settings form generated from the schema', () => {
  const { ctx, as } = peopleSuite('pglite', NOW);
  let id = '';
  beforeAll(async () => {
    id = (await provisionDevice(ctx.store.db, { unitId: 'trung-van', counterId: 'q01', actor: 't' }))
      .deviceId;
  });
  const post = (who: Account, form: Record<string, string>, query = '') =>
    ctx.app.request(`/devices/${id}/settings${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ctx.tokens[who]}`, ...ORIGIN },
      body: new URLSearchParams(form),
    });

  it('has a control for every field of the schema, officers shown as the roster’s', async () => {
    expect(SETTING_FIELDS.map((f) => [f.name, f.kind])).toEqual([
      ['scale', 'choice'],
      ['ratingTimeoutMs', 'int'],
      ['minPressIntervalMs', 'int'],
      ['undoWindowMs', 'int'],
      ['visitIdleTimeoutMs', 'int'],
      ['reasons', 'rows'],
      ['commentUrl', 'text'],
      ['officers', 'managed'],
      ['telemetryIntervalMs', 'int'],
    ]);
    const html = await (await as('tech', `/devices/${id}`)).text();
    expect(html).toContain('data-testid="settings-form"');
    expect(html).not.toContain('<textarea name="settings"');
    for (const f of SETTING_FIELDS.filter((f) => f.kind === 'int' || f.kind === 'choice'))
      expect(html).toContain(`name="${f.name}"`);
  });

  it('saves valid settings and redirects to the page, which names the version', async () => {
    const res = await post('tech', VALID);
    expect(res.status).toBe(303);
    const stored = await getDeviceConfig(ctx.store.db, id);
    expect(stored?.settings).toMatchObject({
      scale: 'keypad5',
      ratingTimeoutMs: 15_000,
      undoWindowMs: 3_000,
      commentUrl: 'https://gopy.example/tv',
      reasons: [{ code: 'slow', vi: 'Chờ lâu', en: 'Long wait' }],
    });
    expect(res.headers.get('location')).toBe(`/devices/${id}?saved=${stored?.version}`);
    const page = await (await as('tech', res.headers.get('location')!)).text();
    expect(page).toContain('data-testid="notice">Đã lưu, phiên bản');
    expect(page).toContain('value="https://gopy.example/tv"');
  });

  it('keeps what was typed and explains each refused field in Vietnamese (English on request)', async () => {
    const before = (await getDeviceConfig(ctx.store.db, id))?.version;
    const bad = {
      ...VALID,
      ratingTimeoutMs: '10',
      minPressIntervalMs: 'nhanh',
      undoWindowMs: '60000',
      commentUrl: 'gopy ở đâu',
      'reasons.1.code': 'Sai Mã',
      'reasons.1.vi': 'x',
      'reasons.1.en': 'x',
    };
    const res = await post('tech', bad);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Chưa lưu: hãy sửa các ô được đánh dấu.');
    expect(html).toContain('data-testid="error-err-ratingTimeoutMs">Nhỏ nhất là 3000.<');
    expect(html).toContain('data-testid="error-err-minPressIntervalMs">Cần một số nguyên.<');
    expect(html).toContain('data-testid="error-err-undoWindowMs">Lớn nhất là 15000.<');
    expect(html).toContain('data-testid="error-err-commentUrl">Cần một địa chỉ web hợp lệ');
    expect(html).toContain('data-testid="error-err-reasons-1">Sai định dạng.<');
    expect(html).toContain('value="nhanh"');
    expect(html).toContain('value="gopy ở đâu"');
    expect(html).toContain('value="Sai Mã"');
    expect((await getDeviceConfig(ctx.store.db, id))?.version).toBe(before);
    const en = await (await post('tech', bad, '?lang=en')).text();
    expect(en).toContain('data-testid="error-err-ratingTimeoutMs">At least 3000.<');
  });

  it('says in Vietnamese what the store refuses, keeping the input', async () => {
    // A keypad that reported its scale: another scale is refused by the store, naming the device.
    await ctx.store.db.execute(
      `update devices set birth = '{"keypadScale":"keypad4"}'::jsonb where id = '${id}'`,
    );
    const res = await post('tech', { ...VALID, scale: 'keypad3', ratingTimeoutMs: '16000' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Chưa lưu: scale &#39;keypad3&#39; contradicts the keypad');
    expect(html).toContain('value="16000"');
  });

  it('refuses a ward leader, another ward’s leader and a forged cross-site form', async () => {
    expect((await post('lead.tv', VALID)).status).toBe(403);
    expect((await post('lead.ka', VALID)).status).toBe(403);
    const cookie = (await openStaffSession(ctx.store.db, 'tech', 'browser')).token;
    const forged = await ctx.app.request(`/devices/${id}/settings`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', cookie: `${SESSION_COOKIE}=${cookie}` },
      body: new URLSearchParams(VALID),
    });
    expect(forged.status).toBe(403);
  });
});
