import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'onestop-virtual-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The command a technician types, in a real process: the URL it prints, the stop it makes. */
describe('onestop agent --virtual-devices', () => {
  it('prints the panel URL, takes a badge from it, and stops cleanly on SIGTERM', async () => {
    const config = join(dir, 'counter.json');
    writeFileSync(
      config,
      JSON.stringify({
        schemaVersion: 2,
        device: { unitId: 'u-cli', counterId: 'q01', deviceId: 'dev-cli' },
        // No broker: the counter works offline and keeps its events in the outbox.
        mqtt: { url: 'mqtt://127.0.0.1:1', username: 'dev-cli', password: 'x' },
        dataDir: join(dir, 'data'),
      }),
    );
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', MAIN, 'agent', '--config', config, '--virtual-devices'],
      { env: { ...process.env, NODE_NO_WARNINGS: '1', LOG_LEVEL: 'warn' } },
    );
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).on('line', (line) => {
          const m = /^virtual devices \(THIẾT BỊ ẢO\): (http:\/\/127\.0\.0\.1:\d+\/)$/.exec(line);
          if (m) resolve(m[1]!);
        });
        void exited.then((code) => reject(new Error(`agent exited (${code}): ${stderr}`)));
      });
      expect(await (await fetch(url)).text()).toContain('THIẾT BỊ ẢO');
      const res = await fetch(new URL('api/badge', url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'cb-a' }),
      });
      expect(res.status).toBe(200);
      await expect
        .poll(
          async () =>
            ((await (await fetch(new URL('api/state', url))).json()) as { officer: string }).officer,
        )
        .toBe('cb-a');
      expect(stderr).toContain('VIRTUAL DEVICES');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);
});
