import { decodePayload, topicFor } from '@onestop/protocol';
import type { AgentContext, Extension } from '../context.js';

export interface PublisherOptions {
  /** Events published but not yet acked; bounds memory and the burst after a long outage. */
  window: number;
  /** Without an ack this long, everything un-acked is sent again. */
  ackTimeoutMs: number;
}

/**
 * Drains the outbox to the broker at QoS 1, oldest first. An event leaves the outbox only when the
 * server's `ack` names it (the server has stored it), never on PUBACK: the broker holding a
 * message is not the centre's database holding it. Re-sends are safe because ingest dedupes by eventId.
 */
export class Publisher implements Extension {
  readonly name = 'publisher';
  private readonly inflight = new Map<string, number>();
  private cursor = 0;
  private timer: NodeJS.Timeout | null = null;
  private offs: Array<() => void> = [];

  constructor(
    private readonly ctx: AgentContext,
    private readonly opts: PublisherOptions,
  ) {}

  start(): void {
    const { bus } = this.ctx;
    this.offs = [
      bus.on('mqtt.connected', () => this.resend()),
      bus.on('mqtt.disconnected', () => this.reset()),
      bus.on('event.recorded', () => this.pump()),
      bus.on('mqtt.message', (m) => {
        if (m.channel === 'ack') this.onAck(m.payload);
      }),
    ];
    this.timer = setInterval(() => this.checkTimeouts(), Math.max(250, this.opts.ackTimeoutMs / 4));
    this.timer.unref();
    this.pump();
  }

  stop(): void {
    for (const off of this.offs) off();
    if (this.timer) clearInterval(this.timer);
  }

  get inFlight(): number {
    return this.inflight.size;
  }

  private reset(): void {
    this.inflight.clear();
    this.cursor = 0;
  }

  private resend(): void {
    this.reset();
    this.pump();
  }

  private checkTimeouts(): void {
    const oldest = Math.min(...this.inflight.values());
    if (this.inflight.size > 0 && this.ctx.clock.mono() - oldest > this.opts.ackTimeoutMs) {
      this.ctx.logger.warn({ inFlight: this.inflight.size }, 'no ack in time; re-sending un-acked events');
      this.resend();
    }
  }

  private onAck(raw: Buffer): void {
    const r = decodePayload('ack', raw);
    if (!r.ok) {
      this.ctx.bus.emit('rejected', { source: 'mqtt ack', reason: r.reason });
      this.ctx.logger.warn({ reason: r.reason }, 'rejected ack');
      return;
    }
    const removed = this.ctx.outbox.ack(r.value.eventIds);
    for (const id of r.value.eventIds) this.inflight.delete(id);
    this.ctx.bus.emit('event.acked', { eventIds: r.value.eventIds, removed });
    this.pump();
  }

  pump(): void {
    const { transport, outbox, logger, bus, address } = this.ctx;
    while (transport.connected && this.inflight.size < this.opts.window) {
      const batch = outbox.pending(this.opts.window - this.inflight.size, this.cursor);
      if (batch.length === 0) return;
      for (const e of batch) {
        this.cursor = e.rowId;
        this.inflight.set(e.eventId, this.ctx.clock.mono());
        const topic = topicFor(address, e.channel);
        transport
          .publish(topic, Buffer.from(e.payload), { qos: 1, retain: false })
          .then(() => bus.emit('event.published', { eventId: e.eventId, channel: e.channel }))
          .catch((err: Error) =>
            logger.debug({ eventId: e.eventId, err: err.message }, 'publish failed; will re-send'),
          );
      }
    }
  }
}
