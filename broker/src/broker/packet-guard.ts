import { Duplex } from 'node:stream';
import { MAX_PAYLOAD_BYTES } from '@onestop/protocol';

/**
 * The largest packet (its remaining length, MQTT 3.1.1 §2.2.3) a connection may send before it
 * has authenticated. The first packet must be CONNECT: a client ID (≤ 128 bytes here), a
 * username, a password and a small will fit in well under this.
 */
export const PRE_AUTH_MAX_PACKET = 8 * 1024;
/** After authentication: a payload at the protocol's limit plus its topic and packet ID. */
export const POST_AUTH_MAX_PACKET = MAX_PAYLOAD_BYTES + 2 * 1024;

export interface PacketRefusal {
  reason: 'oversized' | 'malformed';
  detail: string;
}

/**
 * Sits between a socket and aedes and reads each MQTT fixed header as the bytes arrive, counting
 * off bodies without looking at them. aedes (mqtt-packet) has no maximum packet size
 * (moscajs/aedes#831): it buffers a packet whole before anything can refuse it, so four sockets
 * declaring 250 MB CONNECTs cost a gigabyte. Here a connection is cut as soon as its header
 * DECLARES more than the limit, before a byte of the body is buffered (Mosquitto's
 * `max_packet_size` does the same). Data passes through unchanged otherwise.
 */
export class PacketGuard extends Duplex {
  private maxPacket = PRE_AUTH_MAX_PACKET;
  /** Body bytes of the current packet still to pass. */
  private bodyLeft = 0;
  /** Where in the fixed header the next byte falls: 0 = type byte, 1..4 = remaining-length bytes. */
  private headerAt = 0;
  private declared = 0;
  private ended = false;

  constructor(
    private readonly inner: Duplex,
    private readonly onRefuse: (refusal: PacketRefusal) => void,
  ) {
    super();
    inner.on('data', (chunk: Buffer) => {
      const refusal = this.scan(chunk);
      if (refusal) {
        this.onRefuse(refusal);
        this.destroy();
      } else if (!this.push(chunk)) inner.pause();
    });
    inner.on('end', () => {
      this.ended = true;
      this.push(null);
    });
    inner.on('error', (err) => this.destroy(err));
    // After a clean end the buffered packets (a DISCONNECT, say) are still to be read by aedes.
    inner.on('close', () => {
      if (!this.ended) this.destroy();
    });
  }

  /** Authentication succeeded: packets up to the protocol's payload limit may follow. */
  authenticated(): void {
    this.maxPacket = POST_AUTH_MAX_PACKET;
  }

  /** The peer's address, where aedes and the gate look for it on a socket. */
  get remoteAddress(): string | undefined {
    return (this.inner as { remoteAddress?: string }).remoteAddress;
  }

  private scan(chunk: Buffer): PacketRefusal | null {
    let i = 0;
    while (i < chunk.length) {
      if (this.bodyLeft > 0) {
        const n = Math.min(this.bodyLeft, chunk.length - i);
        this.bodyLeft -= n;
        i += n;
        continue;
      }
      const byte = chunk[i++] as number;
      if (this.headerAt === 0) {
        this.headerAt = 1;
        this.declared = 0;
        continue;
      }
      // Variable byte integer, least significant group first: what is read so far is a lower
      // bound, so a length over the limit is refused without waiting for its last byte.
      this.declared += (byte & 0x7f) * 128 ** (this.headerAt - 1);
      if (this.declared > this.maxPacket)
        return {
          reason: 'oversized',
          detail: `packet declares ${byte & 0x80 ? 'at least ' : ''}${this.declared} bytes > ${this.maxPacket}`,
        };
      if (byte & 0x80) {
        if (this.headerAt === 4) return { reason: 'malformed', detail: 'remaining length over 4 bytes' };
        this.headerAt++;
        continue;
      }
      this.headerAt = 0;
      this.bodyLeft = this.declared;
    }
    return null;
  }

  override _read(): void {
    this.inner.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    // Done as soon as the socket takes it, so aedes sees the socket's own backpressure.
    if (this.inner.write(chunk, encoding)) done();
    else this.inner.once('drain', () => done());
  }

  override _final(done: (err?: Error | null) => void): void {
    this.inner.end();
    done();
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.inner.destroy();
    done(err);
  }
}

/** Called by the gate once a connection has authenticated; streams without a guard are left alone. */
export function liftPacketLimit(conn: unknown): void {
  if (conn instanceof PacketGuard) conn.authenticated();
}
