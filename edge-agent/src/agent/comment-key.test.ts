import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { COMMENT_KEY_FILE, loadCommentKey } from './comment-key.js';

const silent = pino({ level: 'silent' });

describe('the comment-signing key', () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'onestop-ckey-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('is made once with mode 0600 and kept across restarts', () => {
    const d = dir();
    const first = loadCommentKey(d, silent);
    expect(statSync(join(d, COMMENT_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(loadCommentKey(d, silent)).toEqual(first);
  });

  it('replaces a damaged file with a new key, again 0600, and narrows a widened one', () => {
    const d = dir();
    const first = loadCommentKey(d, silent);
    const file = join(d, COMMENT_KEY_FILE);
    chmodSync(file, 0o644);
    expect(loadCommentKey(d, silent)).toEqual(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    writeFileSync(file, 'not a key', { mode: 0o644 });
    const second = loadCommentKey(d, silent);
    expect(second?.publicKey).not.toBe(first?.publicKey);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('leaves the counter without comment codes, not without a start, when the key cannot be written', () => {
    expect(loadCommentKey(join(dir(), 'no', 'such', 'folder'), silent)).toBeNull();
  });
});
