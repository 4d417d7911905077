import type { Duplex } from 'node:stream';
import type { ConnectionLimits } from './connection-limits.js';
import type { FlapDetector } from './flapping.js';
import { PacketGuard } from './packet-guard.js';
import type { RejectReason } from './reasons.js';

export type RefuseConnection = (address: string, reason: RejectReason, detail: string) => void;

/**
 * What every accepted TCP, TLS or WebSocket connection passes before aedes sees it: the address
 * is not banned for churning, the connection limits hold, and then its packets go through a
 * `PacketGuard`. A refused connection is closed at once, before a byte of it is read.
 */
export class Admission {
  private open = 0;
  private readonly byAddress = new Map<string, number>();

  constructor(
    private readonly limits: ConnectionLimits,
    private readonly churn: FlapDetector | null,
    private readonly refuse: RefuseConnection,
    private readonly onCount: (delta: 1 | -1) => void = () => {},
  ) {}

  /** The guarded stream to hand to aedes, or null when the connection was refused (and closed). */
  admit(conn: Duplex, address: string): PacketGuard | null {
    const perAddress = !(this.limits.loopbackExempt !== false && isLoopback(address));
    const flap = perAddress ? this.churn?.connect(address) : undefined;
    let refusal: [RejectReason, string] | null = null;
    if (flap?.banned)
      refusal = [
        'flapping',
        `address reconnecting too often; banned until ${new Date(flap.untilMs).toISOString()}`,
      ];
    else if (this.open >= this.limits.total) refusal = ['connection_limit', `${this.open} connections open`];
    else if (perAddress && (this.byAddress.get(address) ?? 0) >= this.limits.perAddress)
      refusal = ['connection_limit', `${this.limits.perAddress} connections open from this address`];
    if (refusal) {
      conn.destroy();
      this.refuse(address, refusal[0], refusal[1]);
      return null;
    }
    this.open++;
    if (perAddress) this.byAddress.set(address, (this.byAddress.get(address) ?? 0) + 1);
    this.onCount(1);
    let released = false;
    const guard = new PacketGuard(conn, (r) => this.refuse(address, r.reason, r.detail));
    const release = () => {
      if (released) return;
      released = true;
      this.open--;
      if (perAddress) {
        const n = (this.byAddress.get(address) ?? 1) - 1;
        if (n > 0) this.byAddress.set(address, n);
        else this.byAddress.delete(address);
      }
      this.onCount(-1);
    };
    // The socket's close is the truth; the guard's covers a stream that never emits one.
    conn.once('close', release);
    guard.once('close', release);
    return guard;
  }

  get connections(): number {
    return this.open;
  }
}

/** Loopback peers: behind a TLS-terminating proxy on this machine, every device. */
export function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
