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
  /** Failed logins allowed per username, and per client address, within `windowMs`. */
  perUsername: number;
  perAddress: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perUsername: 10, perAddress: 30, windowMs: 60_000 };

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
 * network blip then costs one scrypt per device, not one per attempt. Revocation is still read
 * from the database on every CONNECT.
 */
export class Authenticator {
  private readonly services: Map<string, { digest: Buffer; role: ServiceRole }>;
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
    this.byUser = new FailureWindow(limits.perUsername, limits.windowMs);
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
    // Refused before any scrypt: throttling is what keeps password guessing from eating the CPU.
    if (this.byAddress.blocked(address, now) || this.byUser.blocked(user, now))
      return { ok: false, reason: 'throttled' };
    const outcome = await this.check(clientId, user, password ?? Buffer.alloc(0));
    if (outcome.ok) this.byUser.clear(user);
    else if (outcome.reason === 'auth_failed') {
      this.byUser.fail(user, now);
      this.byAddress.fail(address, now);
    }
    return outcome;
  }

  private async check(clientId: string, username: string, password: Buffer): Promise<AuthOutcome> {
    const service = this.services.get(username);
    if (service) {
      return timingSafeEqual(digest(password), service.digest)
        ? { ok: true, session: { role: service.role, username } }
        : { ok: false, reason: 'auth_failed' };
    }
    const pw = password.toString('utf8');
    const device = username ? await this.devices.find(username) : null;
    if (!device) {
      // Same work as for a real account, so response time does not reveal which usernames exist.
      this.dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
      await verifyPassword(pw, await this.dummyHash);
      return { ok: false, reason: 'auth_failed' };
    }
    if (!(await this.verify(pw, device.passwordHash))) return { ok: false, reason: 'auth_failed' };
    // Told apart from a wrong password only after the password proved right.
    if (device.revokedAt) return { ok: false, reason: 'revoked' };
    if (!deviceClientIdOk(clientId, device.deviceId)) return { ok: false, reason: 'client_id' };
    const address = { unitId: device.unitId, counterId: device.counterId, deviceId: device.deviceId };
    return { ok: true, session: deviceSession(address, username) };
  }

  private async verify(password: string, stored: string): Promise<boolean> {
    const mac = createHmac('sha256', this.macKey).update(stored).update('\u0000').update(password).digest();
    const known = this.verified.get(stored);
    if (known) return timingSafeEqual(known, mac);
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
