import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, randomSecret, verifyPassword } from './credentials.js';

describe('secrets', () => {
  it('never starts a secret with a dash, which a shell command would read as a flag', () => {
    // One base64url draw in 64 starts with '-': 4,000 draws miss it with odds of about 1e-28.
    const firsts = new Set<string>();
    for (let i = 0; i < 4_000; i++) {
      const secret = randomSecret(32);
      expect(secret).toMatch(/^[\w][\w-]{42}$/);
      firsts.add(secret[0]!);
    }
    // Every other first character still comes up: the redraw removes only the dash.
    expect(firsts.size).toBe(63);
  });

  it('hashes a generated password so that only it verifies', async () => {
    const password = generatePassword();
    expect(password).toHaveLength(32);
    const stored = await hashPassword(password);
    expect(await verifyPassword(password, stored)).toBe(true);
    expect(await verifyPassword(`${password}x`, stored)).toBe(false);
  });
});
