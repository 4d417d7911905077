import { describe, expect, it } from 'vitest';
import {
  generatePassword,
  hashGeneratedSecret,
  hashPassword,
  isCostlyHash,
  randomSecret,
  verifyDeviceSecret,
  verifyPassword,
} from './credentials.js';

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

  it('keeps a generated secret as one SHA-256 that only it verifies, beside scrypt hashes', async () => {
    const secret = generatePassword();
    const stored = hashGeneratedSecret(secret);
    expect(stored).toMatch(/^sha256\$[\w-]{43}$/);
    expect(isCostlyHash(stored)).toBe(false);
    expect(await verifyDeviceSecret(secret, stored)).toBe(true);
    expect(await verifyDeviceSecret(`${secret}x`, stored)).toBe(false);
    expect(await verifyDeviceSecret(secret, hashGeneratedSecret(generatePassword()))).toBe(false);
    // A device provisioned before keeps its scrypt hash: still verified, and known as costly.
    const older = await hashPassword(secret);
    expect(isCostlyHash(older)).toBe(true);
    expect(await verifyDeviceSecret(secret, older)).toBe(true);
    // Nothing verifies against a form it does not know, nor against a truncated hash.
    for (const bad of ['', 'sha256$', stored.slice(0, -2), `md5$${stored.slice(7)}`, 'plain'])
      expect(await verifyDeviceSecret(secret, bad)).toBe(false);
    // A person's password is never checked against a fast hash, whatever a row holds.
    expect(await verifyPassword(secret, stored)).toBe(false);
  });
});
