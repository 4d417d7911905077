import {
  type BirthMessage,
  CHANNELS,
  type CommandResponse,
  INGEST_STATE,
  parseTopic,
  type StatusMessage,
  type TelemetryMessage,
  type UpdateStatus,
} from '@onestop/protocol';
import { counter, gauge, LogThrottle } from '@onestop/service';
import type { AedesOptions, AuthenticateError, Client, PublishPacket, Subscription } from 'aedes';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { INTERNAL_PREFIX, mayForward, mayPublish, maySubscribe, type Session } from './acl.js';
import type { Authenticator } from './auth.js';
import { DeviceBudgets, type RateLimit } from './budget.js';
import type { DeviceStateWriter } from './device-state.js';
import { type DoorVerdict, forLog, inspect } from './door.js';
import { FlapDetector, type FlappingLimits } from './flapping.js';
import type { PeerCertificate } from './listeners.js';
import { liftPacketLimit } from './packet-guard.js';
import type { RejectReason } from './reasons.js';

/** Where refused publishes go: no client can subscribe to `$…` topics, and `#` never matches them. */
const REFUSED_TOPIC = `${INTERNAL_PREFIX}refused`;
const EMPTY = Buffer.alloc(0);

function addressOf(client: Client): string {
  const conn = client.conn as { remoteAddress?: string };
  return client.req?.socket.remoteAddress ?? conn.remoteAddress ?? 'unknown';
}

/**
 * Why a presented client certificate does not let this login in, or null when it does: it must
 * come from the centre's CA, and be issued to the username logging in (`dev-<id>` for a board),
 * so that one board's certificate does not carry another's password.
 */
export function certificateRefusal(peer: PeerCertificate, username: string): string | null {
  if (!peer.trusted) return `client certificate not from the centre's CA (${peer.error ?? 'untrusted'})`;
  if (peer.commonName !== username)
    return `client certificate issued to '${forLog(peer.commonName ?? '(no single CN)')}', not to the username`;
  return null;
}

function authError(code: 2 | 3 | 4 | 5, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: code }) as AuthenticateError;
}

/**
 * The aedes hooks: who may connect (`authenticate`), what a client may send (`authorizePublish`,
 * the validation at the door) and subscribe to. Sessions are resolved once at CONNECT and cached.
 */
export class Gate {
  readonly sessions = new WeakMap<Client, Session>();
  /** Live clients of each device on this node, for `disconnectDevice` and revocations. */
  readonly deviceClients = new Map<string, Set<Client>>();
  /** Devices revoked while this node runs: refused before anything else, even mid-connection. */
  private readonly revoked = new Map<string, number>();
  /**
   * Rises with every revocation. Signal handlers run concurrently: a handler that reads the
   * database and then lets a device in must not undo a revocation heard during its read.
   */
  private revokeSeq = 0;
  /**
   * When each device's credentials last changed (a sequence number, not a clock), and where the
   * sequence stood when each client's login began: a login that read the device's row before the
   * change committed but finishes after it (scrypt takes a while) still carries the old password,
   * and is closed as it becomes ready instead of outliving the change.
   */
  private changeSeq = 0;
  private readonly changedAt = new Map<string, number>();
  private readonly loginSeq = new WeakMap<Client, number>();
  /** Each device client's standing at login (`deviceStanding`), for the catch-up after missed signals. */
  private readonly standing = new WeakMap<Client, string>();
  /** Keyed by device ID, not by connection: reconnecting does not refill a device's budget. */
  private readonly budgets: DeviceBudgets | null;
  private readonly flapping: FlapDetector | null;
  private readonly graceful = new WeakSet<Client>();
  /** The client certificate each TLS connection presented (set by the broker as it admits it). */
  readonly peers = new WeakMap<object, PeerCertificate>();
  private readonly refusals = new LogThrottle();
  private readonly rejected;
  private readonly connectedDevices;
  private readonly accepted;

  constructor(
    private readonly auth: Authenticator,
    private readonly state: DeviceStateWriter,
    private readonly logger: Logger,
    registry: Registry,
    rateLimit: RateLimit | null,
    flapping: FlappingLimits['perDevice'] | null = null,
  ) {
    this.budgets = rateLimit ? new DeviceBudgets(rateLimit) : null;
    this.flapping = flapping ? new FlapDetector(flapping) : null;
    this.rejected = counter(
      registry,
      'onestop_events_rejected_total',
      'Connections and messages refused by the broker, by reason',
      ['reason'],
    );
    this.connectedDevices = gauge(
      registry,
      'onestop_devices_connected',
      'Counter devices connected to this broker',
    );
    this.accepted = counter(
      registry,
      'onestop_broker_accepted_total',
      'Messages accepted at the door, by channel',
      ['channel'],
    );
  }

  /**
   * Called when a draining (replaced) board reports its outbox; the broker revokes it once empty.
   * Set by startBroker; a no-op otherwise.
   */
  onDrainReport: (deviceId: string, outbox: TelemetryMessage['outbox']) => void = () => {};

  /** Whether this client is a replaced board that may only deliver its outbox. */
  deliveryOnly(client: Client): boolean {
    const s = this.sessions.get(client);
    return s?.role === 'device' && s.deliveryOnly;
  }

  hooks(): Pick<
    AedesOptions,
    'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'
  > {
    return {
      authenticate: (client, username, password, done) => {
        this.loginSeq.set(client, this.changeSeq);
        // A client certificate is a second credential: checked first, as it costs no scrypt.
        const peer = this.peers.get(client.conn);
        const certRefusal = peer ? certificateRefusal(peer, username ?? '') : null;
        if (certRefusal) {
          this.refuse(client, null, 'client_cert', certRefusal, undefined, username);
          return done(authError(4, 'client_cert'), false);
        }
        // A device banned for flapping is refused before any database read or scrypt.
        if (this.flapping?.banned(username ?? '')) {
          this.refuse(client, null, 'flapping', 'banned for reconnecting too often', undefined, username);
          return done(authError(3, 'flapping'), false);
        }
        this.auth
          .authenticate(client.id, username, password, addressOf(client))
          .then((r) => {
            if (r.ok && r.session.role === 'device' && this.flapping) {
              const flap = this.flapping.connect(r.session.username);
              if (flap.banned) {
                const until = new Date(flap.untilMs).toISOString();
                this.refuse(
                  client,
                  r.session.username,
                  'flapping',
                  `reconnecting too often; banned until ${until}`,
                );
                return done(authError(3, 'flapping'), false);
              }
            }
            if (r.ok) {
              if (r.session.role === 'device') this.dropForeignWill(client, r.session);
              this.sessions.set(client, r.session);
              if (r.standing !== undefined) this.standing.set(client, r.standing);
              liftPacketLimit(client.conn);
              return done(null, true);
            }
            this.refuse(client, null, r.reason, 'connect refused', undefined, username);
            // 5 ("not authorized") only for a revoked device: its kiosk then says it was withdrawn. A
            // client ID that is not the device's own is 2, "identifier rejected".
            const code = r.reason === 'revoked' ? 5 : r.reason === 'client_id' ? 2 : 4;
            done(authError(code, r.reason), false);
          })
          .catch((err: unknown) => {
            this.logger.error({ err, clientId: client.id }, 'authentication failed with an error');
            done(
              Object.assign(new Error('server unavailable'), { returnCode: 3 }) as AuthenticateError,
              false,
            );
          });
      },
      authorizePublish: (client, packet, done) => {
        const verdict = this.check(client, packet);
        if (!verdict.ok) {
          // Diverted, not errored: an error would make aedes drop the connection, and a device
          // with one bad message must keep delivering its good ones. It still gets its PUBACK.
          packet.topic = REFUSED_TOPIC;
          packet.retain = false;
          packet.payload = EMPTY;
        }
        done(null);
      },
      // A draining board keeps its subscriptions (its agent waits for every grant before it sends),
      // but nothing reaches it except the acks that let its outbox drain.
      authorizeForward: (client, packet) =>
        mayForward(this.sessions.get(client), packet.topic) ? packet : null,
      authorizeSubscribe: (client, sub: Subscription, done) => {
        const session = this.sessions.get(client);
        // A refused filter gets SUBACK 0x80 and the client stays connected.
        done(null, session && maySubscribe(session, sub.topic) ? sub : null);
      },
    };
  }

  /**
   * A device's will may only be what the device itself may publish (its own `status`, in
   * practice). Checked now, not when the will is said: a will of a client whose node died is said
   * by another node without the client, and could otherwise speak for another device or say that
   * the ingest is offline.
   */
  private dropForeignWill(client: Client, session: Session): void {
    const withWill = client as Client & { _will?: { topic: string } | null };
    const will = withWill._will;
    if (!will) return;
    const parsed = parseTopic(will.topic);
    if (parsed.ok && mayPublish(session, parsed.topic).ok) return;
    withWill._will = null;
    this.refuse(
      client,
      session.username,
      'foreign_topic',
      'will on a topic the device may not publish; dropped',
      will.topic,
    );
  }

  private check(client: Client | null, packet: PublishPacket): DoorVerdict {
    const session = client ? (this.sessions.get(client) ?? null) : null;
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const who = session?.username ?? (client ? null : '(will)');
    if (client && !session) {
      this.refuse(client, null, 'auth_failed', 'publish without a session');
      return { ok: false, reason: 'auth_failed', detail: 'no session' };
    }
    if (session?.role === 'device' && this.revoked.has(session.address.deviceId)) {
      this.refuse(client, who, 'revoked', 'device revoked');
      return { ok: false, reason: 'revoked', detail: 'revoked' };
    }
    if (this.budgets && session?.role === 'device') {
      const spent = this.budgets.spend(session.address.deviceId, payload.byteLength);
      if (!spent.ok) {
        this.refuse(client, who, 'rate_limited', spent.detail);
        return { ok: false, reason: 'rate_limited', detail: spent.detail };
      }
    }
    const verdict = inspect(session, packet.topic, payload);
    if (!verdict.ok) {
      this.refuse(client, who, verdict.reason, verdict.detail, packet.topic);
      return verdict;
    }
    if (verdict.topic === null) {
      // Retained by contract, whatever the flag said: a device connecting later must hear it.
      packet.retain = INGEST_STATE.retain;
      this.accepted.inc({ channel: 'ingest-state' });
      return verdict;
    }
    const { channel, deviceId } = verdict.topic;
    // Channels that are not retained by contract never become retained, whatever the flag said.
    if (!CHANNELS[channel].retain) packet.retain = false;
    this.accepted.inc({ channel });
    if (session?.role === 'device' && session.deliveryOnly) {
      // Not the counter's live board: no status, no alerts, only when it was last heard.
      this.state.seen(deviceId);
      if (channel === 'telemetry') {
        const t = verdict.payload as TelemetryMessage;
        this.state.telemetry(deviceId, t);
        this.onDrainReport(deviceId, t.outbox);
      }
      return verdict;
    }
    if (channel === 'status') {
      const m = verdict.payload as StatusMessage;
      if (client && m.state === 'stopped') this.graceful.add(client);
      this.state.status(deviceId, m);
    } else if (channel === 'birth') this.state.birth(deviceId, verdict.payload as BirthMessage);
    else if (channel === 'telemetry') this.state.telemetry(deviceId, verdict.payload as TelemetryMessage);
    else if (channel === 'update/status') this.state.updateStatus(deviceId, verdict.payload as UpdateStatus);
    else if (channel.startsWith('cmd/') && channel.endsWith('/res'))
      this.state.commandAnswer(deviceId, channel, verdict.payload as CommandResponse);
    else if (session?.role === 'device') this.state.seen(deviceId);
    return verdict;
  }

  /**
   * Counts and logs a refusal. `who` is a name the broker vouches for (a session's username, or
   * '(will)'), and the log is rate-limited per (who, reason); null means nothing is verified yet,
   * so the key is (address, reason): an attacker cycling through usernames or client IDs gets one
   * line a minute per address, not one per name. Attacker-chosen text is cut to `MAX_LOGGED_CHARS`.
   */
  private refuse(
    client: Client | null,
    who: string | null,
    reason: RejectReason,
    detail: string,
    topic?: string,
    claimed?: string,
  ): void {
    this.rejected.inc({ reason });
    const address = client ? addressOf(client) : undefined;
    const key = who !== null ? `${who}\u0000${reason}` : `${address}\u0001${reason}`;
    const suppressed = this.refusals.take(key);
    if (suppressed === null) return;
    this.logger.warn(
      {
        who: forLog(who ?? claimed),
        clientId: forLog(client?.id),
        address,
        reason,
        detail,
        topic: forLog(topic),
        suppressed,
      },
      'refused',
    );
  }

  /** A connection aedes closed for a frame that is not MQTT or a topic it refuses itself. */
  refuseProtocol(client: Client, reason: RejectReason, detail: string): void {
    const who = this.sessions.get(client)?.username ?? null;
    this.refuse(client, who, reason, detail);
  }

  /** A connection refused before it had a client (connection limits, churn, packet size). */
  refuseConnection(address: string, reason: RejectReason, detail: string): void {
    this.rejected.inc({ reason });
    const suppressed = this.refusals.take(`${address}\u0000${reason}`);
    if (suppressed === null) return;
    this.logger.warn({ address, reason, detail, suppressed }, 'connection refused');
  }

  onReady(client: Client): void {
    const s = this.sessions.get(client);
    if (s?.role !== 'device') return;
    const id = s.address.deviceId;
    // Authenticated from a read made just before the revocation or the change committed.
    if (this.revoked.has(id) || (this.changedAt.get(id) ?? -1) > (this.loginSeq.get(client) ?? -1)) {
      this.logger.info({ deviceId: id, clientId: client.id }, 'login outdated by a credential change');
      client.close();
      return;
    }
    let set = this.deviceClients.get(id);
    if (!set) {
      set = new Set();
      this.deviceClients.set(id, set);
    }
    set.add(client);
    this.connectedDevices.inc();
    // A draining board is not its counter's live board: it neither comes online nor goes offline.
    if (s.deliveryOnly) this.state.seen(id);
    else this.state.connected(id);
  }

  onDisconnect(client: Client): void {
    const s = this.sessions.get(client);
    if (s?.role !== 'device') return;
    const set = this.deviceClients.get(s.address.deviceId);
    if (!set?.delete(client)) return;
    this.connectedDevices.dec();
    // A takeover (the device reconnected before its old half-open connection timed out) leaves
    // the device connected: only the last of its connections going away means offline.
    if (set.size > 0) return;
    this.deviceClients.delete(s.address.deviceId);
    if (s.deliveryOnly) this.state.seen(s.address.deviceId);
    else this.state.disconnected(s.address.deviceId, this.graceful.has(client));
  }

  /** From now on refuses everything the device publishes here, and disconnects it. */
  revoke(deviceId: string): number {
    this.revoked.set(deviceId, ++this.revokeSeq);
    return this.disconnectLocal(deviceId, 'revoked');
  }

  /**
   * The device's credentials or standing changed (re-paired, rotated, replaced, restored): its live
   * connections here close, and so does any login already under way, so that it logs in again
   * under what the database now says. Returns how many live connections were closed.
   */
  credentialsChanged(deviceId: string): number {
    // Re-inserted so the map stays in change order and the oldest entries can go first.
    this.changedAt.delete(deviceId);
    this.changedAt.set(deviceId, ++this.changeSeq);
    // Only logins in flight need the entry, and none lasts for 10 000 changes: bounded.
    if (this.changedAt.size > 10_000) {
      const oldest = this.changedAt.keys().next().value;
      if (oldest !== undefined) this.changedAt.delete(oldest);
    }
    return this.disconnectLocal(deviceId, 'device changed');
  }

  /**
   * Closes the device's connections here that logged in under another standing than `current`
   * (the database's now): the catch-up for a change whose signal this node missed.
   */
  closeOutdated(deviceId: string, current: string): number {
    let closed = 0;
    for (const c of this.deviceClients.get(deviceId) ?? []) {
      if (this.standing.get(c) === current) continue;
      this.logger.info({ deviceId, clientId: c.id }, 'disconnecting device: credentials changed meanwhile');
      c.close();
      closed++;
    }
    return closed;
  }

  /** Where the revocations stand now: take it BEFORE reading the database for `unrevoke`. */
  revocationMark(): number {
    return this.revokeSeq;
  }

  /**
   * A restored device is let in again: the database said so after the revocation. `readFrom`
   * (`revocationMark()` taken before that read) keeps a revocation heard during the read: the
   * read may predate it. Returns whether the device is let in.
   */
  unrevoke(deviceId: string, readFrom: number): boolean {
    if ((this.revoked.get(deviceId) ?? 0) > readFrom) return false;
    this.revoked.delete(deviceId);
    return true;
  }

  /** The devices this node refuses as revoked: a catch-up checks them against the database. */
  revokedIds(): string[] {
    return [...this.revoked.keys()];
  }

  /** Closes every live connection of a device on this node; returns how many were closed. */
  disconnectLocal(deviceId: string, why: string): number {
    const set = this.deviceClients.get(deviceId);
    if (!set) return 0;
    for (const c of set) {
      this.logger.info({ deviceId, clientId: c.id, why }, 'disconnecting device');
      c.close();
    }
    return set.size;
  }
}
