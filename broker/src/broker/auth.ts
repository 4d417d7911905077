import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { BoundedMap } from '@onestop/service';
import {
  type Database,
  generatePassword,
  hashGeneratedSecret,
  isCostlyHash,
  verifyDeviceSecret,
} from '@onestop/store';
import { deviceClientIdOk, deviceSession, type ServiceRole, type Session } from './acl.js';
import { isLoopback } from './admission.js';
import { TokenBucket } from './budget.js';
import { DeviceLookup } from './device-lookup.js';

export interface ServiceCredential {
  username: string;
  password: string;
  role: ServiceRole;
}

export interface LoginLimits {
  /** Failed logins allowed for one username from one address within `windowMs`. */
  perUsernameAddress: number;
  windowMs: number;
  /**
   * Failed logins for one username from all addresses together within `usernameWindowMs`: far
   * more, so that failing from one address never locks the device out of another. Past it the
   * username gets no new password hashing (scrypt), which stops guessing spread over many
   * addresses; a password this process has already verified still passes, so nobody can lock
   * a working device out. Service accounts are compared without scrypt and are not counted here.
   */
  perUsername: number;
  usernameWindowMs: number;
  /**
   * Failed logins from one address (any usernames) within `windowMs` after which that address
   * gets no more scrypt for unknown usernames or for (username, address) pairs that have failed.
   * An attacker behind a ward's NAT thus costs bounded CPU, while a real device with a clean
   * record behind the same address is still hashed, out of `scryptBudget`.
   */
  perAddress: number;
  /**
   * Scrypts per second (with burst) for every login the per-address cap does not bound: a clean
   * device pair from a capped address, and anything from an exempt loopback address. Past it the
   * login is refused `throttled` and the device retries. Default 20/s, burst 40.
   */
  scryptBudget?: { perSecond: number; burst: number };
  /**
   * Whether loopback peers skip the per-address cap (default true, as for the connection limits):
   * behind a TLS-terminating proxy on the same machine every device comes from 127.0.0.1.
   */
  loopbackExempt?: boolean;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perUsernameAddress: 10,
  windowMs: 60_000,
  perUsername: 100,
  usernameWindowMs: 15 * 60_000,
  perAddress: 30,
};

const DEFAULT_SCRYPT_BUDGET = { perSecond: 20, burst: 40 };
/** Failure counters kept at most: past it, the oldest go first (an attacker cycling usernames). */
export const MAX_FAILURE_KEYS = 100_000;

export type AuthOutcome =
  | {
      ok: true;
      session: Session;
      /** A device's standing as logged in (see `deviceStanding`): a catch-up compares it. */
      standing?: string;
    }
  | { ok: false; reason: 'auth_failed' | 'revoked' | 'throttled' | 'client_id' };

/**
 * What a device's login rests on: its password (by hash) and whether it was replaced. When either
 * differs from what a live connection logged in with, that connection is outdated.
 */
export const deviceStanding = (d: { passwordHash: string; replacedBy: string | null }): string =>
  `${d.passwordHash}\u0000${d.replacedBy ?? ''}`;

/** Fixed-window failure counts, bounded (`BoundedMap`): an attacker cycling usernames or addresses. */
export class FailureWindow {
  private readonly hits: BoundedMap<{ count: number; resetAt: number }>;
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    maxKeys = MAX_FAILURE_KEYS,
  ) {
    this.hits = new BoundedMap(maxKeys, (h, now) => h.resetAt <= now);
  }

  blocked(key: string, now: number): boolean {
    const h = this.hits.get(key);
    return h !== undefined && h.resetAt > now && h.count >= this.max;
  }

  /** Whether `key` has failed at all within its current window. */
  failed(key: string, now: number): boolean {
    const h = this.hits.get(key);
    return h !== undefined && h.resetAt > now;
  }

  fail(key: string, now: number): void {
    const h = this.hits.get(key);
    if (h && h.resetAt > now) h.count++;
    else this.hits.set(key, { count: 1, resetAt: now + this.windowMs }, now);
  }

  clear(key: string): void {
    this.hits.delete(key);
  }

  get size(): number {
    return this.hits.size;
  }
}

const digest = (s: string | Buffer) => createHash('sha256').update(s).digest();

/** A username as a map key: an MQTT username may be 64 KiB, a counter key needs no more than a hash. */
const userKey = (username: string) =>
  username.length <= 128 ? username : `\u0000${digest(username).toString('base64')}`;

/** What the limits leave a login: a full check, or only the checks that need no new scrypt. */
type HashRight = 'hash' | 'budget' | 'none';

/**
 * Devices are checked against their hash in the database, services against credentials handed in
 * at start-up. A device provisioned now has a generated secret's hash (`hashGeneratedSecret`),
 * one SHA-256 per check. A device provisioned before it keeps its scrypt hash until its password
 * is rotated: scrypt costs ~40 ms of CPU, so a verified (hash, password) pair is remembered as an
 * HMAC under a per-process key (a reconnect storm after a network blip then costs one scrypt per
 * device, not one per attempt; a broker restart, one per device again), and new scrypts are
 * budgeted. Revocation is still read from the database on every CONNECT.
 *
 * Failures are counted per (username, address), which refuses outright, and, far more loosely,
 * per username and per address, which only withhold new scrypt work: an attacker failing against
 * one username can lock out neither the other counters behind the same NAT address, nor the
 * device itself from elsewhere, nor a service account.
 */
export class Authenticator {
  private readonly services: Map<string, { digest: Buffer; role: ServiceRole }>;
  private readonly byUserAddress: FailureWindow;
  private readonly byUser: FailureWindow;
  private readonly byAddress: FailureWindow;
  private readonly scryptBudget: TokenBucket;
  private readonly loopbackExempt: boolean;
  private readonly macKey = randomBytes(32);
  private readonly verified = new Map<string, Buffer>();
  private readonly inFlight = new Map<string, Promise<boolean>>();
  private readonly dummyHash = hashGeneratedSecret(generatePassword());
  private readonly devices: DeviceLookup;

  constructor(
    db: Database,
    services: readonly ServiceCredential[],
    limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
  ) {
    this.services = new Map(services.map((s) => [s.username, { digest: digest(s.password), role: s.role }]));
    this.byUserAddress = new FailureWindow(limits.perUsernameAddress, limits.windowMs);
    this.byUser = new FailureWindow(limits.perUsername, limits.usernameWindowMs);
    this.byAddress = new FailureWindow(limits.perAddress, limits.windowMs);
    this.scryptBudget = new TokenBucket(limits.scryptBudget ?? DEFAULT_SCRYPT_BUDGET);
    this.loopbackExempt = limits.loopbackExempt !== false;
    this.devices = new DeviceLookup(db);
  }

  /** Failure counters held, for tests and metrics: each map is bounded by `MAX_FAILURE_KEYS`. */
  get trackedFailures(): number {
    return this.byUserAddress.size + this.byUser.size + this.byAddress.size;
  }

  async authenticate(
    clientId: string,
    username: string | undefined,
    password: Buffer | undefined,
    address: string,
  ): Promise<AuthOutcome> {
    const now = Date.now();
    const user = username ?? '';
    const ukey = userKey(user);
    const pair = `${ukey}\u0000${address}`;
    // The one refusal before any check, for services too: it is what stops guessing from one place.
    if (this.byUserAddress.blocked(pair, now)) return { ok: false, reason: 'throttled' };
    const pw = password ?? Buffer.alloc(0);
    const service = this.services.get(user);
    if (service) {
      // No scrypt, so nothing to withhold: only the (username, address) limit applies.
      if (timingSafeEqual(digest(pw), service.digest)) {
        this.byUserAddress.clear(pair);
        return { ok: true, session: { role: service.role, username: user } };
      }
      this.byUserAddress.fail(pair, now);
      this.byAddress.fail(address, now);
      return { ok: false, reason: 'auth_failed' };
    }
    const outcome = await this.check(clientId, user, pw, (deviceExists) =>
      this.hashRight(ukey, pair, address, deviceExists, now),
    );
    if (outcome.ok) this.byUserAddress.clear(pair);
    else if (outcome.reason === 'auth_failed') {
      this.byUserAddress.fail(pair, now);
      this.byUser.fail(ukey, now);
      this.byAddress.fail(address, now);
    }
    return outcome;
  }

  /**
   * Whether this login may cost a new scrypt. A username past its global limit gets none. An
   * address past its cap gets none for unknown usernames or pairs that already failed, but a real
   * device with a clean record there is still hashed, paid from the global budget, as is
   * everything from an exempt loopback address (which the per-address cap does not bound).
   */
  private hashRight(
    ukey: string,
    pair: string,
    address: string,
    deviceExists: boolean,
    now: number,
  ): HashRight {
    if (this.byUser.blocked(ukey, now)) return 'none';
    if (this.loopbackExempt && isLoopback(address)) return 'budget';
    if (!this.byAddress.blocked(address, now)) return 'hash';
    return deviceExists && !this.byUserAddress.failed(pair, now) ? 'budget' : 'none';
  }

  /** Spends the right: false when the scrypt must not happen. */
  private mayHash(right: HashRight): boolean {
    if (right === 'hash') return true;
    return right === 'budget' && this.scryptBudget.take();
  }

  private async check(
    clientId: string,
    username: string,
    pw: Buffer,
    rightFor: (deviceExists: boolean) => HashRight,
  ): Promise<AuthOutcome> {
    const password = pw.toString('utf8');
    const device = username ? await this.devices.find(username) : null;
    const right = rightFor(device !== null);
    if (!device) {
      // A capped address learns nothing more of which usernames exist.
      if (right === 'none') return { ok: false, reason: 'throttled' };
      // Same work as for a device provisioned now, so response time does not tell them apart.
      await verifyDeviceSecret(password, this.dummyHash);
      return { ok: false, reason: 'auth_failed' };
    }
    const verified = await this.verify(password, device.passwordHash, right);
    if (verified === 'unhashed') return { ok: false, reason: 'throttled' };
    if (!verified) return { ok: false, reason: 'auth_failed' };
    // Told apart from a wrong password only after the password proved right.
    if (device.revokedAt) return { ok: false, reason: 'revoked' };
    // A replaced board past its drain deadline is as good as revoked (the sweep makes it so).
    if (device.replacedBy && device.drainUntil && device.drainUntil.getTime() <= Date.now())
      return { ok: false, reason: 'revoked' };
    if (!deviceClientIdOk(clientId, device.deviceId)) return { ok: false, reason: 'client_id' };
    const address = { unitId: device.unitId, counterId: device.counterId, deviceId: device.deviceId };
    return {
      ok: true,
      session: deviceSession(address, username, device.replacedBy !== null),
      standing: deviceStanding(device),
    };
  }

  /** 'unhashed' when the answer would need a scrypt that `right` does not allow. */
  private async verify(password: string, stored: string, right: HashRight): Promise<boolean | 'unhashed'> {
    // A generated secret's hash (every device provisioned, paired or rotated now) costs no
    // scrypt: checked every time, from the budget of nothing, never withheld.
    if (!isCostlyHash(stored)) return verifyDeviceSecret(password, stored);
    const mac = createHmac('sha256', this.macKey).update(stored).update('\u0000').update(password).digest();
    const known = this.verified.get(stored);
    // One password matches a stored hash: once it is known, any other is wrong without a scrypt.
    if (known) return timingSafeEqual(known, mac);
    // Concurrent CONNECTs with the same credentials (a fleet sharing nothing but a reconnect storm,
    // or one device retrying) share one scrypt instead of queueing one each on the thread pool.
    const key = mac.toString('base64');
    let pending = this.inFlight.get(key);
    if (!pending) {
      if (!this.mayHash(right)) return 'unhashed';
      pending = verifyDeviceSecret(password, stored).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    if (!(await pending)) return false;
    if (this.verified.size > 200_000) this.verified.clear();
    this.verified.set(stored, mac);
    return true;
  }
}
