import { Duplex } from 'node:stream';

/**
 * One end of an in-memory connection: what is written here is read at the peer, with
 * backpressure (a write completes once the peer's reader has room). Closing or destroying one
 * end ends the other, as a TCP connection would. (`stream.duplexPair` arrives in Node 22.6.)
 */
class End extends Duplex {
  peer: End | null = null;
  /** The callback of a write held back until our reader drains. */
  private held: (() => void) | null = null;
  readonly remoteAddress = 'in-process';

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const peer = this.peer;
    if (!peer || peer.destroyed) cb(new Error('in-process connection closed'));
    else if (peer.push(chunk)) cb();
    else peer.held = cb;
  }

  /** Corked or queued writes (a packet's header and body) reach the peer as one chunk. */
  override _writev(chunks: Array<{ chunk: Buffer }>, cb: (err?: Error | null) => void): void {
    this._write(Buffer.concat(chunks.map((c) => c.chunk)), 'binary', cb);
  }

  override _read(): void {
    const cb = this.held;
    this.held = null;
    cb?.();
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.peer?.push(null);
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const peer = this.peer;
    this.peer = null;
    const held = this.held;
    this.held = null;
    held?.();
    if (peer && !peer.destroyed) {
      peer.push(null);
      peer.destroy();
    }
    cb(err);
  }
}

export function duplexPair(): [Duplex, Duplex] {
  const a = new End();
  const b = new End();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
