import { createHash, randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

// scrypt (RFC 7914) from Node's OpenSSL: memory-hard, no native add-on to build on a Pi.
const PARAMS = { N: 16_384, r: 8, p: 1 } as const;
const KEY_LEN = 32;

function scryptAsync(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** `scrypt$N$r$p$salt$hash`, self-describing so parameters can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, KEY_LEN, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

/** Whether `password` is the one `hashPassword` made `stored` from: people's passwords. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64, keyB64] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(keyB64, 'base64url');
  const key = await scryptAsync(password, Buffer.from(saltB64, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * Whether a device's password is the one its stored hash was made from: `hashGeneratedSecret`'s
 * form, or the scrypt of a device provisioned before it. Only for devices: a person's password
 * is checked by `verifyPassword`, which takes no fast hash, whatever a row says.
 */
export async function verifyDeviceSecret(password: string, stored: string): Promise<boolean> {
  if (!stored.startsWith(GENERATED_PREFIX)) return verifyPassword(password, stored);
  const expected = Buffer.from(stored.slice(GENERATED_PREFIX.length), 'base64url');
  const key = sha256(password);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

const GENERATED_PREFIX = 'sha256$';
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * A secret the centre drew itself (`generatePassword`: 192 random bits), as stored. scrypt is
 * there to slow the guessing of passwords people choose; 192 random bits cannot be guessed
 * however fast each try is, so one SHA-256 keeps them as safely (as token services keep API
 * keys). What it saves: scrypt costs ~41 ms of CPU per check on the project's VM, and a broker
 * restarted under a thousand counters paid it once per device (41 CPU seconds on 2 cores while
 * the day's traffic waited, and the reconnecting counters were refused `throttled` meanwhile).
 * Only for secrets from `generatePassword`: a password a person chose goes to `hashPassword`.
 */
export function hashGeneratedSecret(secret: string): string {
  return GENERATED_PREFIX + sha256(secret).toString('base64url');
}

/** Whether checking a password against `stored` costs a scrypt (the broker budgets those). */
export const isCostlyHash = (stored: string): boolean => !stored.startsWith(GENERATED_PREFIX);

/**
 * `bytes` random bytes as base64url, drawn again while it starts with '-': a secret is pasted
 * after a command (`onestop user whoami TOKEN`, `mosquitto_pub -P …`), and one in 64 would
 * otherwise be read as a flag. Redrawing keeps every other string equally likely.
 */
export function randomSecret(bytes: number): string {
  for (;;) {
    const secret = randomBytes(bytes).toString('base64url');
    if (!secret.startsWith('-')) return secret;
  }
}

/** 24 random bytes: far beyond brute force, and safe to paste into a YAML file or a shell. */
export function generatePassword(): string {
  return randomSecret(24);
}
