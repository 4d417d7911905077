import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { type Database, hashPassword, verifyPassword } from '@onestop/store';
import { deviceClientIdOk, deviceSession, type ServiceRole, type Session } from './acl.js';
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
   * more, so that failing from one address never locks the device out of another, while guessing
   * spread over many addresses still stops.
   */
  perUsername: number;
  usernameWindowMs: number;
  /**
   * Failed logins from one address (any usernames) within `windowMs` after which that address
   * gets no more password hashing (scrypt): logins that need one are refused, while credentials
   * already verified by this process still pass. An attacker behind a ward's NAT thus costs
   * bounded CPU without locking out the counters that share the address.
   */
  perAddress: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perUsernameAddress: 10,
  windowMs: 60_000,
  perUsername: 100,
  usernameWindowMs: 15 * 60_000,
  perAddress: 30,
};

export type AuthOutcome =
  | { ok: true; session: Session }
  | { ok: false; reason: 'auth_failed' | 'revoked' | 'throttled' | 'client_id' };

/** Fixed-window failure counts; the map is swept when it grows so that a scan cannot exhaust memory. */
class FailureWindow {
  private readonly hits = new Map<string, { count: number; resetAt: number }>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  blocked(key: string, now: number): boolean {
    const h = this.hits.get(key);
    return h !== undefined && h.resetAt > now && h.count >= this.max;
  }

  fail(key: string, now: number): void {
    const h = this.hits.get(key);
    if (h && h.resetAt > now) h.count++;
    else this.hits.set(key, { count: 1, resetAt: now + this.windowMs });
    if (this.hits.size > 100_000) for (const [k, v] of this.hits) if (v.resetAt <= now) this.hits.delete(k);
  }

  clear(key: string): void {
    this.hits.delete(key);
  }
}

const digest = (s: string | Buffer) => createHash('sha256').update(s).digest();

/**
 * Devices are checked against their scrypt hash in the database, services against credentials
 * handed in at start-up. scrypt costs ~40 ms of CPU, so a verified (hash, password) pair is
 * remembered as an HMAC under a per-process key: a reconnect storm after a broker restart or a
 * network blip then costs one scrypt per device, not one per attempt, and a wrong guess against
 * a device seen before costs none. Revocation is still read from the database on every CONNECT.
 *
 * Failures are counted per (username, address) and, far more loosely, per username, never per
 * address alone: an attacker failing against one username cannot lock out the other counters
 * behind the same NAT address, nor the device itself from elsewhere. What an address alone
 * exhausts is its right to make this process hash (see `LoginLimits.perAddress`).
 */
export class Authenticator {
  private readonly services: Map<string, { digest: Buffer; role: ServiceRole }>;
  private readonly byUserAddress: FailureWindow;
  private readonly byUser: FailureWindow;
  private readonly byAddress: FailureWindow;
  private readonly macKey = randomBytes(32);
  private readonly verified = new Map<string, Buffer>();
  private readonly inFlight = new Map<string, Promise<boolean>>();
  private dummyHash: Promise<string> | null = null;
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
    this.devices = new DeviceLookup(db);
  }

  async authenticate(
    clientId: string,
    username: string | undefined,
    password: Buffer | undefined,
    address: string,
  ): Promise<AuthOutcome> {
    const now = Date.now();
    const user = username ?? '';
    const pair = `${user}\u0000${address}`;
    // Refused before any scrypt: throttling is what keeps password guessing from eating the CPU.
    if (this.byUserAddress.blocked(pair, now) || this.byUser.blocked(user, now))
      return { ok: false, reason: 'throttled' };
    const mayHash = !this.byAddress.blocked(address, now);
    const outcome = await this.check(clientId, user, password ?? Buffer.alloc(0), mayHash);
    if (outcome.ok) this.byUserAddress.clear(pair);
    else if (outcome.reason === 'auth_failed') {
      this.byUserAddress.fail(pair, now);
      this.byUser.fail(user, now);
      this.byAddress.fail(address, now);
    }
    return outcome;
  }

  private async check(
    clientId: string,
    username: string,
    password: Buffer,
    mayHash: boolean,
  ): Promise<AuthOutcome> {
    const service = this.services.get(username);
    if (service) {
      return timingSafeEqual(digest(password), service.digest)
        ? { ok: true, session: { role: service.role, username } }
        : { ok: false, reason: 'auth_failed' };
    }
    const pw = password.toString('utf8');
    const device = username ? await this.devices.find(username) : null;
    if (!device) {
      if (!mayHash) return { ok: false, reason: 'throttled' };
      // Same work as for a real account, so response time does not reveal which usernames exist.
      this.dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
      await verifyPassword(pw, await this.dummyHash);
      return { ok: false, reason: 'auth_failed' };
    }
    const verified = await this.verify(pw, device.passwordHash, mayHash);
    if (verified === 'unhashed') return { ok: false, reason: 'throttled' };
    if (!verified) return { ok: false, reason: 'auth_failed' };
    // Told apart from a wrong password only after the password proved right.
    if (device.revokedAt) return { ok: false, reason: 'revoked' };
    if (!deviceClientIdOk(clientId, device.deviceId)) return { ok: false, reason: 'client_id' };
    const address = { unitId: device.unitId, counterId: device.counterId, deviceId: device.deviceId };
    return { ok: true, session: deviceSession(address, username) };
  }

  /** 'unhashed' when the answer would need a scrypt that `mayHash` forbids. */
  private async verify(password: string, stored: string, mayHash: boolean): Promise<boolean | 'unhashed'> {
    const mac = createHmac('sha256', this.macKey).update(stored).update('\u0000').update(password).digest();
    const known = this.verified.get(stored);
    // One password matches a stored hash: once it is known, any other is wrong without a scrypt.
    if (known) return timingSafeEqual(known, mac);
    if (!mayHash) return 'unhashed';
    // Concurrent CONNECTs with the same credentials (a fleet sharing nothing but a reconnect storm,
    // or one device retrying) share one scrypt instead of queueing one each on the thread pool.
    const key = mac.toString('base64');
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = verifyPassword(password, stored).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    if (!(await pending)) return false;
    if (this.verified.size > 200_000) this.verified.clear();
    this.verified.set(stored, mac);
    return true;
  }
}
