import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirInUseError, lockDataDir } from './data-lock.js';
import { openStore } from './db.js';

describe('one process per embedded database folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onestop-lock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a folder another live process holds, naming it and what to do', () => {
    const other = spawn('sleep', ['30']);
    try {
      writeFileSync(join(dir, 'onestop.lock'), String(other.pid));
      expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
      expect(() => lockDataDir(dir)).toThrow(`in use by process ${other.pid}`);
    } finally {
      other.kill();
    }
  });

  it('takes over a lock left by a process that died, and releases it on close', async () => {
    writeFileSync(join(dir, 'onestop.lock'), '999999999');
    const store = await openStore({ kind: 'pglite', dataDir: dir });
    expect(readFileSync(join(dir, 'onestop.lock'), 'utf8')).toBe(String(process.pid));
    await store.close();
    expect(existsSync(join(dir, 'onestop.lock'))).toBe(false);
  });
});
