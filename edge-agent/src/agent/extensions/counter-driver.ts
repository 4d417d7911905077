import { newEventId } from '@onestop/protocol';
import { screenOf } from '../../counter/screen.js';
import { sessionEndsAt } from '../../counter/session-limit.js';
import { step } from '../../counter/step.js';
import type {
  CounterContext,
  CounterEvent,
  CounterInput,
  CounterState,
  Screen,
} from '../../counter/types.js';
import { initialCounterState } from '../../counter/types.js';
import type { InputEvent } from '../../devices/inputs.js';
import { type OutboxEntry, OutboxFullError } from '../../outbox/outbox.js';
import type { AgentContext, Extension } from '../context.js';

const OFFICER_KEY = 'officer';

/** Device events → counter inputs. Unmapped keys are refused here, before the state machine. */
export function toCounterInput(e: InputEvent): CounterInput | { rejected: string } | null {
  switch (e.type) {
    case 'keypad.press':
      if (e.action === null)
        return { rejected: `key 0x${e.code.toString(16)} is not mapped in the keypad profile` };
      if (typeof e.action === 'number')
        return { type: 'press', level: e.action, scale: e.scale, source: 'keypad' };
      return { type: 'officer', action: e.action };
    case 'scanner.scan':
      return { type: 'scan', text: e.text };
    case 'badge.read':
      return { type: 'badge', id: e.id };
    default:
      return null;
  }
}

/**
 * Runs the pure counter state machine and performs its effects. Every `emit` is appended to the
 * outbox (fsynced) before the new screen is announced, so "thank you, recorded" is never shown for
 * a rating that is not on disk.
 */
export class CounterDriver implements Extension {
  readonly name = 'counter';
  private state: CounterState;
  private timer: NodeJS.Timeout | null = null;
  private offs: Array<() => void> = [];
  /** Set when the runtime stops: from then on nothing changes the state that is handed over. */
  private frozen = false;

  /** `carried`: the state of the previous runtime, when the agent restarts in-process. */
  constructor(
    private readonly ctx: AgentContext,
    private readonly touch: boolean,
    carried: CounterState | null = null,
  ) {
    const saved = ctx.outbox.getMeta(OFFICER_KEY);
    // The officer stays signed in across a reboot or power cut; the open visit does not survive
    // a reboot (it was closed on stop), but does survive an in-process restart (config reload).
    this.state =
      carried ?? initialCounterState(saved ? (JSON.parse(saved) as CounterState['officer']) : null);
    // Held ratings of a previous boot: no screen can change them any more (a reboot drops the
    // thanks screen), so they are final now. An in-process restart keeps the one it still shows.
    const keep = this.state.thanks?.undo ? this.state.thanks.visitId : null;
    const released = ctx.outbox.releaseAllExcept(keep);
    if (released > 0) ctx.logger.info({ released }, 'held ratings of the previous run released');
  }

  /** Ends whatever is open (visit, prompt, pending reasons) while the outbox is still open. */
  close(): void {
    this.dispatch({ type: 'shutdown' });
  }

  start(): void {
    this.offs = [
      this.ctx.bus.on('input.device', (e) => {
        const i = toCounterInput(e);
        if (i === null) return;
        if ('rejected' in i) {
          this.state = { ...this.state, ignoredPresses: this.state.ignoredPresses + 1 };
          this.ctx.bus.emit('rejected', { source: 'keypad', reason: i.rejected });
          return;
        }
        this.dispatch(i);
      }),
      this.ctx.bus.on('config.applied', () => this.dispatch({ type: 'tick' })),
    ];
    this.dispatch({ type: 'tick' });
  }

  stop(): void {
    this.freeze();
  }

  /**
   * Refuses every later input and returns the final state. A stopping runtime calls this first,
   * before it waits for devices, kiosk and camera to close: an input in that window would be
   * recorded but missing from the state the next runtime starts from (a rating taken twice, a
   * sign-out forgotten).
   */
  freeze(): CounterState {
    this.frozen = true;
    for (const off of this.offs) off();
    this.offs = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    return this.state;
  }

  current(): { state: CounterState; screen: Screen } {
    return { state: this.state, screen: screenOf(this.state, this.ctx.clock.now()) };
  }

  dispatch(input: CounterInput): void {
    const { ctx } = this;
    if (this.frozen) {
      ctx.logger.info({ input: input.type }, 'input refused: the agent is restarting or stopping');
      return;
    }
    const cctx: CounterContext = {
      now: ctx.clock.now(),
      settings: ctx.settings.get(),
      patterns: ctx.patterns,
      newId: newEventId,
      touch: this.touch,
      sessionEndsAt: (since) => sessionEndsAt(since, ctx.config.sessions),
    };
    ctx.bus.emit('counter.input', input);
    const before = this.state;
    const { state, effects } = step(this.state, input, cctx);
    this.state = state;
    let failure: string | null = null;
    let refused: string | null = null;
    let officerSaved = false;
    for (const fx of effects) {
      switch (fx.type) {
        case 'emit':
          {
            const meta = officerMeta(fx.event, state);
            let entry: OutboxEntry;
            // Only the append decides "not recorded": once it returned, the event is on disk,
            // whatever a listener of `event.recorded` does with it (the bus isolates them anyway).
            try {
              entry = ctx.outbox.append(fx.event.channel, fx.event.body, meta, fx.hold ?? null);
            } catch (e) {
              failure ??= e instanceof OutboxFullError ? 'outbox full' : (e as Error).message;
              ctx.logger.error(
                { err: (e as Error).message, channel: fx.event.channel },
                'event NOT recorded',
              );
              break;
            }
            officerSaved ||= OFFICER_KEY in meta;
            ctx.bus.emit('event.recorded', {
              entry,
              event: fx.event,
              ...(fx.hold ? { heldUntil: fx.hold.until } : {}),
            });
          }
          break;
        case 'amend':
          {
            // Judged at the step's own `now`, the time its window was judged by. A failed write
            // (disk, database) is a refusal like a released hold: the outbox keeps the level first
            // recorded, so the screen must not go on showing the new one as if it would be sent.
            let replaced: string | null;
            try {
              replaced = ctx.outbox.replaceHeld(fx.key, fx.event.channel, fx.event.body, cctx.now);
            } catch (e) {
              refused ??= `the rating could not be changed: ${(e as Error).message}`;
              ctx.logger.error({ key: fx.key, err: (e as Error).message }, 'rating NOT changed');
              break;
            }
            if (replaced === null) {
              refused ??= 'the rating had already been released';
              ctx.logger.warn({ key: fx.key }, 'rating NOT changed: no longer held');
            } else ctx.bus.emit('event.amended', { key: fx.key, event: fx.event });
          }
          break;
        case 'release':
          if (ctx.outbox.release(fx.key)) ctx.bus.emit('outbox.released', { count: 1 });
          break;
        case 'beep':
          ctx.bus.emit('counter.beep', { kind: fx.kind });
          break;
        case 'rejected':
          ctx.bus.emit('rejected', { source: `counter ${fx.input}`, reason: fx.reason });
          ctx.logger.info({ input: fx.input, reason: fx.reason }, 'input refused');
          break;
        case 'schedule':
          this.arm(fx.at, cctx.now);
          break;
        case 'show':
          break; // announced below, after all appends have committed
      }
    }
    // Normally saved with its presence event above; if an append of this step failed (outbox
    // full, e.g. the sign-in after a saved sign-out), the disk still follows memory so that a
    // restart does not change who answers for the counter.
    if ((failure !== null || !officerSaved) && before.officer?.id !== state.officer?.id)
      ctx.outbox.setMeta(OFFICER_KEY, JSON.stringify(state.officer));
    if (failure !== null) {
      this.dispatch({ type: 'record-failed', reason: failure });
      return;
    }
    if (refused !== null) {
      this.dispatch({ type: 'change-refused', reason: refused });
      return;
    }
    ctx.bus.emit('counter.state', { state, screen: screenOf(state, cctx.now) });
  }

  private arm(at: number | null, now: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (at === null) return;
    this.timer = setTimeout(
      () => this.dispatch({ type: 'tick' }),
      Math.min(Math.max(0, at - now) + 5, 2 ** 31 - 1),
    );
    this.timer.unref();
  }
}

/**
 * The signed-in officer to save together with a session presence event, in the same SQLite
 * transaction: a power cut can then never leave "signed in" on the wire and nobody on disk (or
 * the reverse). `state` is the state after the step, whose officer is the one a `signed_in` names.
 */
function officerMeta(event: CounterEvent, state: CounterState): Record<string, string> {
  if (event.channel !== 'evt/presence' || event.body.kind !== 'session') return {};
  const officer = event.body.state === 'signed_in' ? state.officer : null;
  return { [OFFICER_KEY]: JSON.stringify(officer) };
}
