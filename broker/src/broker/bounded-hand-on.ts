import type { MQEmitter } from 'mqemitter';

/** How many queued messages may be handed on within one another before the next waits a turn. */
export const MAX_HAND_ON_DEPTH = 64;

/** mqemitter's instance internals this relies on (mqemitter 7; mqemitter-redis inherits them). */
interface Internals {
  current: number;
  _do(message: unknown, callback: unknown): unknown;
}

/**
 * aedes' message bus (mqemitter) hands the next queued message on from inside the callback that
 * releases the one before (`released` → `_do`). While deliveries are stalled (sockets that stop
 * reading hold a slot up to aedes' drainTimeout) messages queue behind the concurrency limit, and
 * when the slots free at once the queue is handed on thousands deep in one stack: RangeError,
 * "Maximum call stack size exceeded", and the broker is gone. A 1,000-counter fleet run lost
 * `onestop serve` that way after its outboxes backed up (mcollina/mqemitter#204 describes it; still
 * open in mqemitter 7.1). Here the hand-on deeper than `MAX_HAND_ON_DEPTH` waits for
 * `setImmediate`, keeping its slot meanwhile so that newer messages still queue behind it: the
 * order of delivery is unchanged. Applied to the emitter in place; returns it.
 */
export function boundedHandOn<M extends MQEmitter>(mq: M): M {
  const inner = mq as unknown as Internals;
  const handOn = inner._do.bind(mq);
  let depth = 0;
  inner._do = (message, callback) => {
    if (depth >= MAX_HAND_ON_DEPTH) {
      inner.current++;
      setImmediate(() => {
        inner.current--;
        handOn(message, callback);
      });
      return mq;
    }
    depth++;
    try {
      return handOn(message, callback);
    } finally {
      depth--;
    }
  };
  return mq;
}
