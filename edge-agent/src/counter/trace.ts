import { isValidLevel } from '@onestop/protocol';
// Test support: drives the pure state machine like the agent does (timer wake-ups included) and
// checks, event by event, the invariants the domain demands. Used by the property tests.
import { OutboxModel } from './outbox-model.js';
import { step } from './step.js';
import { ctxAt, validateEvent } from './test-helpers.js';
import type { CounterContext, CounterEffect, CounterEvent, CounterInput, CounterState } from './types.js';
import { initialCounterState } from './types.js';

export interface Interval {
  officerId: string;
  start: number;
  end: number | null;
}

export interface TracedRating {
  officerId: string | null;
  visitId: string | null;
  endedAt: number;
  pressedAt: number;
  recordedAt: number;
  /** The level first recorded (a change in the undo window may replace it: see `chosen`). */
  level: number;
}

export class Trace {
  state: CounterState;
  now: number;
  readonly intervals: Interval[] = [];
  readonly ratings: TracedRating[] = [];
  readonly violations: string[] = [];
  private wakeAt: number | null = null;
  private signedIn: Interval | null;
  private acceptedPresses = 0;
  /** Presses that changed a rating in its undo window (not new ratings). */
  changes = 0;
  /** What the agent's outbox would hold and send: checked at `finish`. */
  readonly outbox = new OutboxModel((msg) => this.fail(msg));
  /** Each rated visit's level as last chosen (first press, then changes in the window). */
  readonly chosen = new Map<string, number>();
  private window: { visitId: string; until: number } | null = null;
  /** Visits a crash cut short: the real agent cannot end them either. */
  private readonly lost = new Set<string>();
  private readonly started = new Set<string>();
  private readonly ended = new Set<string>();
  private readonly rated = new Set<string>();

  constructor(
    start: number,
    private readonly over: Partial<CounterContext> = {},
    initial: CounterState = initialCounterState(),
  ) {
    this.now = start;
    this.state = initial;
    this.signedIn = initial.officer
      ? { officerId: initial.officer.id, start: initial.officer.since, end: null }
      : null;
    if (this.signedIn) this.intervals.push(this.signedIn);
  }

  /** Lets time pass to `t`, waking the machine whenever it asked to be woken (as the agent's timer does). */
  advanceTo(t: number): void {
    while (this.wakeAt !== null && this.wakeAt <= t)
      this.feed(Math.max(this.now, this.wakeAt), { type: 'tick' });
    this.now = Math.max(this.now, t);
  }

  input(input: CounterInput, at = this.now): void {
    this.advanceTo(at);
    this.feed(this.now, input);
  }

  /** Stops the counter and checks that nothing is left open and no accepted press went unrecorded. */
  finish(): void {
    this.feed(this.now, { type: 'shutdown' });
    const open = [...this.started].filter((v) => !this.ended.has(v) && !this.lost.has(v));
    if (open.length > 0) this.fail(`visits never ended: ${open.join(', ')}`);
    if (this.state.visit || this.state.prompt || this.state.reasons)
      this.fail('state still open after shutdown');
    if (this.ratings.length !== this.acceptedPresses)
      this.fail(`${this.acceptedPresses} presses accepted but ${this.ratings.length} ratings recorded`);
    if (this.outbox.heldKeys().length > 0) this.fail(`still held after stop: ${this.outbox.heldKeys()}`);
    // Exactly one rating per rated visit leaves the device, and it is the last level chosen.
    const sent = new Map<string, number>();
    for (const r of this.outbox.sent) {
      const id = r.visitId ?? '';
      if (sent.has(id)) this.fail(`two ratings sent for visit ${id}`);
      sent.set(id, r.level);
      if (r.level !== this.chosen.get(id))
        this.fail(`visit ${id} sent level ${r.level}, last chosen ${this.chosen.get(id)}`);
    }
    for (const id of this.rated) if (!sent.has(id)) this.fail(`rating of visit ${id} never sent`);
  }

  /**
   * The agent restarts at `at`: in-process (the state is carried, the undo window goes on) or a
   * crash/reboot (the state is lost but the signed-in officer, held ratings are let go).
   */
  restart(kind: 'in-process' | 'crash', at = this.now): void {
    this.advanceTo(at);
    if (kind === 'crash') {
      for (const v of this.started) if (!this.ended.has(v)) this.lost.add(v);
      // A negative press still waiting for reasons was never on disk: lost with the crash.
      if (this.state.reasons) this.acceptedPresses--;
      this.state = initialCounterState(this.state.officer);
    }
    const keep = this.state.thanks?.undo ? this.state.thanks.visitId : null;
    this.outbox.releaseAllExcept(keep);
    if (this.window && this.window.visitId !== keep) this.window = null;
    this.wakeAt = null;
    this.feed(this.now, { type: 'tick' }); // the new runtime's first dispatch
  }

  private fail(msg: string): void {
    if (this.violations.length < 20) this.violations.push(`t=${this.now}: ${msg}`);
  }

  private feed(now: number, input: CounterInput): void {
    this.now = now;
    const before = this.state;
    const r = step(this.state, input, ctxAt(now, this.over));
    this.state = r.state;
    const refusedPress = r.effects.some((fx) => fx.type === 'rejected' && fx.input === 'press');
    const amend = r.effects.find((fx) => fx.type === 'amend');
    // A correction inside the window (another valid level) is never taken for a double press.
    const w = this.window && now < this.window.until ? this.window : null;
    const correction =
      input.type === 'press' &&
      w !== null &&
      !before.reasons &&
      !before.prompt &&
      isValidLevel(input.scale, input.level) &&
      this.chosen.get(w.visitId) !== input.level;
    if (correction && refusedPress) this.fail(`a correction inside ${w?.visitId}'s window was ignored`);
    if (input.type === 'press' && !refusedPress) this.press(input.level, amend?.key ?? null, now);
    for (const fx of r.effects) this.undoEffect(fx);
    const events = r.effects.flatMap((fx) => (fx.type === 'emit' ? [fx.event] : []));
    for (const [i, e] of events.entries()) this.check(e, events[i + 1], now);
    const last = r.effects.at(-1);
    if (last?.type !== 'schedule') this.fail('the last effect is not a schedule');
    else if (last.at !== null && last.at <= now) this.fail(`wake-up ${last.at} is not in the future`);
    this.wakeAt = last?.type === 'schedule' ? last.at : null;
  }

  /** An accepted press: a new rating, or (inside the window) a change of the one just recorded. */
  private press(level: number, amendKey: string | null, now: number): void {
    const w = this.window && now < this.window.until ? this.window : null;
    if (amendKey === null) {
      if (w) this.fail(`a press inside ${w.visitId}'s undo window did not change it`);
      this.acceptedPresses++;
      return;
    }
    this.changes++;
    if (!w || w.visitId !== amendKey) this.fail(`rating of ${amendKey} changed outside its window`);
    else this.chosen.set(amendKey, level);
  }

  private undoEffect(fx: CounterEffect): void {
    this.outbox.apply(fx);
    if (fx.type === 'release' && this.window?.visitId === fx.key) this.window = null;
    if (fx.type !== 'emit') return;
    const e = fx.event;
    if (e.channel === 'evt/visit' && e.body.phase === 'start') this.window = null;
    if (e.channel !== 'evt/rating' || e.body.visitId === null) return;
    this.chosen.set(e.body.visitId, e.body.level);
    this.window = fx.hold ? { visitId: e.body.visitId, until: fx.hold.until } : null;
  }

  private check(e: CounterEvent, next: CounterEvent | undefined, now: number): void {
    const valid = validateEvent(e);
    if (valid !== 'ok') this.fail(`invalid ${e.channel}: ${valid}`);
    if (e.channel === 'evt/presence') this.presence(e, now);
    else if (e.channel === 'evt/visit') this.visit(e);
    else this.rating(e, next, now);
  }

  private presence(e: CounterEvent & { channel: 'evt/presence' }, now: number): void {
    const b = e.body;
    if (b.kind !== 'session') return;
    if (b.state === 'signed_in') {
      if (this.signedIn) this.fail(`${b.officerId} signed in while ${this.signedIn.officerId} still was`);
      this.signedIn = { officerId: b.officerId, start: now, end: null };
      this.intervals.push(this.signedIn);
      return;
    }
    if (this.signedIn?.officerId !== b.officerId)
      this.fail(`${b.officerId} signed out but was not signed in`);
    if (this.signedIn) this.signedIn.end = now;
    this.signedIn = null;
  }

  private visit(e: CounterEvent & { channel: 'evt/visit' }): void {
    const b = e.body;
    if (b.phase === 'start') {
      if (this.started.has(b.visitId)) this.fail(`visit ${b.visitId} started twice`);
      this.started.add(b.visitId);
      return;
    }
    if (!this.started.has(b.visitId)) this.fail(`visit ${b.visitId} ended but never started`);
    if (this.ended.has(b.visitId)) this.fail(`visit ${b.visitId} ended twice`);
    this.ended.add(b.visitId);
    if (b.rated !== this.rated.has(b.visitId)) this.fail(`visit ${b.visitId} rated=${b.rated} disagrees`);
  }

  private rating(
    e: CounterEvent & { channel: 'evt/rating' },
    next: CounterEvent | undefined,
    now: number,
  ): void {
    const b = e.body;
    const end = next?.channel === 'evt/visit' && next.body.phase === 'end' ? next.body : null;
    if (!end || end.visitId !== b.visitId || !end.rated) {
      this.fail(`rating for ${b.visitId} not followed by its rated visit end`);
      return;
    }
    if (this.rated.has(end.visitId)) this.fail(`visit ${end.visitId} rated twice`);
    this.rated.add(end.visitId);
    const pressedAt = end.endedAt + (b.responseMs ?? 0);
    this.ratings.push({
      officerId: b.officerId,
      visitId: b.visitId,
      endedAt: end.endedAt,
      pressedAt,
      recordedAt: now,
      level: b.level,
    });
    if (pressedAt > now) this.fail(`rating pressed at ${pressedAt}, after it was recorded`);
    if (b.officerId === null) return;
    // Fairness: credited only if signed in when the prompt ended and still signed in now.
    const s = this.signedIn;
    if (s?.officerId !== b.officerId) this.fail(`rating credited to ${b.officerId}, who is not signed in`);
    else if (s.start > end.endedAt)
      this.fail(`rating credited to ${b.officerId}, who signed in after the visit ended`);
  }
}

/** True when the rating falls inside one of its officer's presence intervals (checked after the day). */
export function withinPresence(r: TracedRating, intervals: readonly Interval[]): boolean {
  return intervals.some(
    (i) =>
      i.officerId === r.officerId &&
      i.start <= r.endedAt &&
      i.start <= r.pressedAt &&
      (i.end === null || i.end >= r.recordedAt),
  );
}
