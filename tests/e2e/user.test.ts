import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, recentAudit } from '@onestop/store';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('onestop user', () => {
  const data = mkdtempSync(join(tmpdir(), 'onestop-user-'));
  afterAll(() => rmSync(data, { recursive: true, force: true }));
  const cli = (...args: string[]) => runCli([...args, '--data', data]);

  it('adds accounts, issues API tokens, and disables them', async () => {
    const add = await cli('user', 'add', '--name', 'hoa.tv', '--role', 'ward', '--unit', 'trung-van');
    expect(add.code, add.stderr).toBe(0);
    const created = JSON.parse(add.stdout) as Record<string, string>;
    expect(created).toMatchObject({ username: 'hoa.tv', role: 'ward', unitId: 'trung-van' });
    expect(created.password!.length).toBeGreaterThanOrEqual(24);

    const list = await cli('user', 'list');
    expect(list.stdout).toContain('"username":"hoa.tv"');
    expect(list.stdout).not.toContain(created.password);

    const token = JSON.parse((await cli('user', 'token', 'hoa.tv', '--days', '2')).stdout) as {
      token: string;
    };
    const who = await cli('user', 'whoami', token.token);
    expect(JSON.parse(who.stdout)).toMatchObject({ username: 'hoa.tv', role: 'ward' });

    const link = JSON.parse((await cli('user', 'link', 'hoa.tv')).stdout) as { url: string };
    expect(link.url).toMatch(/^http:\/\/127\.0\.0\.1:8080\/login\/link\?token=[\w-]{40,}$/);

    expect((await cli('user', 'disable', 'hoa.tv')).code).toBe(0);
    const after = await cli('user', 'whoami', token.token);
    expect(after.code).toBe(2);
    expect(after.stderr.trim()).toBe('onestop: token is unknown, expired or its account is disabled');
  }, 60_000);

  it('enables a disabled account, keeps the last city account, and audits links', async () => {
    expect((await cli('user', 'add', '--name', 'an.city', '--role', 'city')).code).toBe(0);
    const last = await cli('user', 'disable', 'an.city');
    expect(last.code).toBe(2);
    expect(last.stderr.trim()).toBe("onestop: 'an.city' is the last active city account");
    const on = await cli('user', 'enable', 'hoa.tv');
    expect(on.code, on.stderr).toBe(0);
    expect(JSON.parse(on.stdout)).toEqual({ username: 'hoa.tv', disabled: false });
    expect((await cli('user', 'enable', 'hoa.tv')).stderr.trim()).toBe(
      "onestop: no disabled account 'hoa.tv'",
    );
    expect((await cli('user', 'link', 'hoa.tv')).code).toBe(0);
    const store = await openStore({ kind: 'pglite', dataDir: join(data, 'db') });
    try {
      const trail = (await recentAudit(store.db, 50)).filter((a) => a.target === 'hoa.tv').reverse();
      expect(trail.map((a) => a.action)).toEqual([
        'staff.add',
        'staff.link',
        'staff.disable',
        'staff.enable',
        'staff.link',
      ]);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('rejects bad input with one line naming the flag', async () => {
    const noUnit = await cli('user', 'add', '--name', 'x1', '--role', 'ward');
    expect(noUnit.code).toBe(2);
    expect(noUnit.stderr.trim()).toBe('onestop: --unit: a ward account needs the unit it leads');
    const badRole = await cli('user', 'add', '--name', 'x2', '--role', 'mayor');
    expect(badRole.stderr.trim()).toBe('onestop: --role: must be one of city, ward, technician, officer');
    const missing = await cli('user', 'token', 'nobody');
    expect(missing.stderr.trim()).toBe("onestop: no active account 'nobody'");
  }, 60_000);
});
