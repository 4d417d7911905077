import { EXPRESSION_LABELS, type Expr7 } from './types.js';

/** The protocol's `evt/expression` body; the agent adds the envelope and officerId. */
export interface ExpressionBody {
  visitId: string | null;
  startedAt: number;
  endedAt: number;
  frames: number;
  exitFrames: number;
  mean: Expr7;
  exit: Expr7;
  satisfactionIndex: number;
  confidence: number;
}

/**
 * Satisfaction index of one expression distribution, in [0, 1]:
 *
 *   s(p) = (1 + happy − sad − angry − fearful − disgusted) / 2
 *
 * Neutral and surprised weigh 0, so a calm face scores 0.5 ("Bình thường"), a clear smile tends to 1
 * and clear negative affect to 0. Neutral is deliberately *not* negative: a restrained face is the
 * polite norm at a Vietnamese service counter. It is linear, so s(mean) = mean of s.
 */
export function satisfactionOf(p: Expr7): number {
  const v = p.happy - p.sad - p.angry - p.fearful - p.disgusted;
  return Math.min(1, Math.max(0, (1 + v) / 2));
}

/** Weight of the exit window in the visit index; the rest is the whole-visit mean. */
export const EXIT_WEIGHT = 0.7;
/** Exit frames at which the sample-size term of the confidence reaches 0.5. */
export const CONFIDENCE_HALF_FRAMES = 5;

interface Sample {
  ts: number;
  p: Expr7;
}

const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

function meanOf(samples: Sample[]): Expr7 {
  const m = Object.fromEntries(EXPRESSION_LABELS.map((k) => [k, 0])) as Expr7;
  for (const s of samples) for (const k of EXPRESSION_LABELS) m[k] += s.p[k] / samples.length;
  return m;
}

/**
 * Aggregates one citizen's face over a visit. Keeps running sums for the visit mean and only the
 * last `exitWindowMs` of samples (the exit window: how the face looked in the seconds before it
 * left the counter), so memory stays bounded however long the visit is.
 *
 * satisfactionIndex = 0.7·s(exit) + 0.3·s(mean).
 * confidence = n / (n + 5) · max(0, 1 − 2σ), n = exit frames, σ = standard deviation of the per-frame
 * s over the exit window (σ ≤ 0.5 for values in [0, 1]); more frames raise it, flicker lowers it.
 */
export class VisitExpressionAggregator {
  private readonly sum = Object.fromEntries(EXPRESSION_LABELS.map((k) => [k, 0])) as Expr7;
  private readonly window: Sample[] = [];
  private count = 0;
  private first = Number.NaN;
  private last = Number.NaN;

  constructor(private readonly opts: { exitWindowMs?: number; visitId?: string | null } = {}) {}

  get frames(): number {
    return this.count;
  }

  get startedAt(): number {
    return this.first;
  }

  get lastSeen(): number {
    return this.last;
  }

  add(ts: number, p: Expr7): void {
    if (this.count === 0) this.first = ts;
    this.last = Math.max(Number.isNaN(this.last) ? ts : this.last, ts);
    this.count++;
    for (const k of EXPRESSION_LABELS) this.sum[k] += p[k];
    this.window.push({ ts, p: { ...p } });
    const from = this.last - (this.opts.exitWindowMs ?? 3000);
    while (this.window.length > 0 && (this.window[0] as Sample).ts < from) this.window.shift();
  }

  /** The body for this visit, or null when no face frame was seen. */
  finish(opts: { endedAt?: number; visitId?: string | null } = {}): ExpressionBody | null {
    if (this.count === 0) return null;
    const mean = Object.fromEntries(EXPRESSION_LABELS.map((k) => [k, this.sum[k] / this.count])) as Expr7;
    const exit = meanOf(this.window);
    const n = this.window.length;
    const s = this.window.map((w) => satisfactionOf(w.p));
    const mu = s.reduce((a, b) => a + b, 0) / n;
    const sigma = Math.sqrt(s.reduce((a, b) => a + (b - mu) ** 2, 0) / n);
    const index = EXIT_WEIGHT * satisfactionOf(exit) + (1 - EXIT_WEIGHT) * satisfactionOf(mean);
    const confidence = (n / (n + CONFIDENCE_HALF_FRAMES)) * Math.max(0, 1 - 2 * sigma);
    const r7 = (e: Expr7) => Object.fromEntries(EXPRESSION_LABELS.map((k) => [k, round4(e[k])])) as Expr7;
    return {
      visitId: opts.visitId !== undefined ? opts.visitId : (this.opts.visitId ?? null),
      startedAt: this.first,
      endedAt: opts.endedAt ?? this.last,
      frames: this.count,
      exitFrames: n,
      mean: r7(mean),
      exit: r7(exit),
      satisfactionIndex: round4(Math.min(1, Math.max(0, index))),
      confidence: round4(Math.min(1, Math.max(0, confidence))),
    };
  }
}
