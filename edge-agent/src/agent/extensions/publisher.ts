import { decodePayload, type IngestState } from '@onestop/protocol';
import type { AgentContext, Extension } from '../context.js';

export interface PublisherOptions {
  /** Events published but not yet acked; bounds memory and the burst after a long outage. */
  window: number;
  /**
   * Without an ack this long, everything un-acked is sent again; after each such re-send that no
   * ack of a later delivery answers, twice as long (up to `MAX_BACKOFF_DOUBLINGS` times).
   */
  ackTimeoutMs: number;
  /**
   * After this many deliveries that the broker took but the server never acknowledged while it
   * acknowledged others (a refused event: device_mismatch, a topic the device may no longer use),
   * the event goes to the dead-letter table, so that it stops taking a slot of the window forever.
   */
  deadLetterAfter: number;
}

interface InFlight {
  sentAt: number;
  /** Order of this delivery among all sends of this publisher (1, 2, …). */
  sendNo: number;
  /** The broker has it (PUBACK): a missing ack is then the server's doing, not the link's. */
  brokerHas: boolean;
}

/**
 * Doublings of the ack timeout while re-sends go unanswered: 30 s becomes 60, 120, then 240 s.
 * A centre working through a backlog acks slower than the timeout; every counter re-sending its
 * whole window each 30 s multiplied that backlog (a thousand counters: 275,000 duplicates in a
 * day whose outboxes never drained). As TCP's retransmission timer, with Karn's rule: only the
 * ack of an event first sent after the last re-send brings the timeout back. The ack of an event
 * that was re-sent names no copy, so it may be the centre catching up on the first one, and says
 * nothing of the delay now.
 */
const MAX_BACKOFF_DOUBLINGS = 3;

/**
 * Drains the outbox to the broker at QoS 1, oldest first. An event leaves the outbox only when the
 * server's `ack` names it (the server has stored it), never on PUBACK: the broker holding a
 * message is not the centre's database holding it. Re-sends are safe because ingest dedupes by eventId.
 */
export class Publisher implements Extension {
  readonly name = 'publisher';
  private readonly inflight = new Map<string, InFlight>();
  private cursor = 0;
  /** When the server last acknowledged anything: proof that it is alive and answering. */
  /** The latest delivery (by send order) that the server has acknowledged. */
  private lastAckedSendNo = 0;
  private sends = 0;
  /** Re-sends in a row that no ack of a fresh event answered: the timeout is doubled this often. */
  private backoff = 0;
  /** The events in flight at the latest timeout re-send: their acks keep the backoff (Karn). */
  private resent = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  /**
   * What this connection has heard of the ingest (`centre.ingest`): null until its retained state
   * arrives after a connect, and for good on a centre that does not say it. `heardAt`: when the
   * latest word arrived; a delivery sent before the ingest was heard listening may have been
   * dropped by the broker (a clean session keeps nothing for a subscriber that is away).
   */
  private centre: { online: boolean; ts: number | null; heardAt: number } | null = null;
  private offs: Array<() => void> = [];

  constructor(
    private readonly ctx: AgentContext,
    private readonly opts: PublisherOptions,
  ) {}

  start(): void {
    const { bus } = this.ctx;
    this.offs = [
      bus.on('mqtt.connected', () => this.resend()),
      bus.on('mqtt.disconnected', () => {
        this.centre = null;
        this.reset();
      }),
      bus.on('centre.ingest', (state) => this.onIngestState(state)),
      bus.on('event.recorded', () => this.pump()),
      // A held rating became final: the queue reads on past it.
      bus.on('outbox.released', () => this.pump()),
      // Re-queued events sit before the cursor (they keep their row IDs): page from the start.
      bus.on('outbox.requeued', () => this.resend()),
      bus.on('mqtt.message', (m) => {
        if (m.channel === 'ack') this.onAck(m.payload);
      }),
    ];
    // Also a pump: a hold whose time ran out with nobody releasing it (a clock jump) is sent.
    this.timer = setInterval(
      () => {
        this.checkTimeouts();
        this.pump();
      },
      Math.max(250, this.opts.ackTimeoutMs / 4),
    );
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
    const now = this.ctx.clock.mono();
    const timeoutMs = this.opts.ackTimeoutMs * 2 ** this.backoff;
    const expired = [...this.inflight].filter(([, f]) => now - f.sentAt > timeoutMs);
    if (expired.length === 0) return;
    // Only a delivery the broker took, followed by acks for other events, counts against an
    // event: a dead link or a stopped ingest acks nothing, and then nothing is ever set aside.
    // A strike only when the server acknowledged something sent AFTER this delivery: acks for
    // earlier sends arriving late (a slow ingest catching up) say nothing about this event.
    // And only when the ingest was heard listening as it was sent: otherwise the broker may have
    // dropped it for want of a subscriber, while the ingest, back, acknowledged later ones.
    const ignored = expired
      .filter(([, f]) => f.brokerHas && this.lastAckedSendNo > f.sendNo && this.heardListening(f))
      .map(([id]) => id);
    if (ignored.length > 0) this.strike(ignored);
    this.ctx.logger.warn(
      { inFlight: this.inflight.size, timeoutMs },
      'no ack in time; re-sending un-acked events',
    );
    this.backoff = Math.min(MAX_BACKOFF_DOUBLINGS, this.backoff + 1);
    this.resent = new Set(this.inflight.keys());
    this.resend();
  }

  /** Unknown (a centre that does not say, or its word not yet heard) counts as listening, as before. */
  private heardListening(f: InFlight): boolean {
    if (this.centre === null) return true;
    return this.centre.online && f.sentAt >= this.centre.heardAt;
  }

  /**
   * An ack of a delivery sent after "offline" was heard is better evidence than that word: the
   * ingest listened when it arrived. A stale "offline" (a dead cluster node's will of the
   * ingest's earlier connection, said minutes late by another node; a rolled-back ingest that
   * never says "online") would otherwise keep every refusal from ever being set aside.
   */
  private provesListening(f: InFlight): void {
    const c = this.centre;
    if (c === null || c.online || f.sentAt < c.heardAt) return;
    this.centre = { online: true, ts: c.ts, heardAt: f.sentAt };
  }

  private onIngestState(state: IngestState): void {
    const now = this.ctx.clock.mono();
    const previous = this.centre;
    if (!state.online) {
      this.centre = { online: false, ts: previous?.ts ?? null, heardAt: now };
      return;
    }
    if (previous?.online && previous.ts === state.ts) return;
    this.centre = { online: true, ts: state.ts, heardAt: now };
    // The first word after a connect: everything was sent again a moment ago. Heard live, a new
    // listening period means what was sent while the ingest was away is gone: sent again now,
    // not after the ack timeout (doubled while the re-sends went unanswered).
    if (previous === null) return;
    this.ctx.logger.info(
      { inFlight: this.inflight.size },
      'the ingest listens again; re-sending un-acked events',
    );
    this.backoff = 0;
    this.resend();
  }

  private strike(eventIds: string[]): void {
    const { outbox, logger, bus } = this.ctx;
    const counts = outbox.strike(eventIds);
    const dead = [...counts].filter(([, n]) => n >= this.opts.deadLetterAfter).map(([id]) => id);
    if (dead.length === 0) return;
    const reason = `not acknowledged after ${this.opts.deadLetterAfter} deliveries while the server acknowledged others`;
    try {
      // Plain INSERTs in one transaction: on any conflict nothing moves and nothing is lost.
      outbox.deadLetter(dead, reason);
    } catch (err) {
      logger.error(
        { err: (err as Error).message, eventIds: dead },
        'could not set events aside; kept queued',
      );
      return;
    }
    logger.error({ eventIds: dead, reason }, 'events moved to the dead-letter table');
    bus.emit('event.dead-lettered', { eventIds: dead, reason });
  }

  private onAck(raw: Buffer): void {
    const r = decodePayload('ack', raw);
    if (!r.ok) {
      this.ctx.bus.emit('rejected', { source: 'mqtt ack', reason: r.reason });
      this.ctx.logger.warn({ reason: r.reason }, 'rejected ack');
      return;
    }
    for (const id of r.value.eventIds) {
      const flight = this.inflight.get(id);
      if (flight) this.provesListening(flight);
      if (flight && flight.sendNo > this.lastAckedSendNo) this.lastAckedSendNo = flight.sendNo;
      if (flight && !this.resent.has(id)) this.backoff = 0;
      this.resent.delete(id);
    }
    const removed = this.ctx.outbox.ack(r.value.eventIds);
    for (const id of r.value.eventIds) this.inflight.delete(id);
    this.ctx.bus.emit('event.acked', { eventIds: r.value.eventIds, removed });
    this.pump();
  }

  pump(): void {
    const { transport, outbox, logger, bus } = this.ctx;
    while (transport.connected && this.inflight.size < this.opts.window) {
      const batch = outbox.pending(this.opts.window - this.inflight.size, this.cursor);
      if (batch.length === 0) return;
      for (const e of batch) {
        this.cursor = e.rowId;
        const flight: InFlight = { sentAt: this.ctx.clock.mono(), sendNo: ++this.sends, brokerHas: false };
        this.inflight.set(e.eventId, flight);
        transport
          .publish(e.topic, Buffer.from(e.payload), { qos: 1, retain: false })
          .then(() => {
            flight.brokerHas = true;
            bus.emit('event.published', { eventId: e.eventId, channel: e.channel });
          })
          .catch((err: Error) =>
            logger.debug({ eventId: e.eventId, err: err.message }, 'publish failed; will re-send'),
          );
      }
    }
  }
}
