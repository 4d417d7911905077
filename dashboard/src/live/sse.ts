import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';

export type SseEvent = { event: string; data: string };

/** A keep-alive through proxies when nothing else was sent for this long. */
const KEEP_ALIVE_MS = 15_000;

/**
 * An event stream fed by a subscription: `hello` first, then each event `subscribe` sends, in
 * order, and `ping` after a quiet spell; the subscription ends with the connection. One loop for
 * every live stream of the dashboard.
 */
export function streamEvents(c: Context, subscribe: (send: (e: SseEvent) => void) => () => void) {
  return streamSSE(c, async (stream) => {
    const queue: SseEvent[] = [];
    let wake: (() => void) | null = null;
    const unsubscribe = subscribe((e) => {
      queue.push(e);
      wake?.();
    });
    stream.onAbort(() => {
      unsubscribe();
      wake?.();
    });
    await stream.writeSSE({ event: 'hello', data: 'ok' });
    while (!stream.aborted) {
      const next = queue.shift();
      if (next !== undefined) {
        await stream.writeSSE({ event: next.event, data: next.data.replaceAll('\n', ' ') });
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, KEEP_ALIVE_MS).unref();
      });
      wake = null;
      if (queue.length === 0 && !stream.aborted) await stream.writeSSE({ event: 'ping', data: '' });
    }
    unsubscribe();
  });
}
