import { EventEmitter } from 'node:events';
import { type ExpressionBody, VisitExpressionAggregator } from './aggregator.js';
import type { FrameSource, SourceError } from './frame-source.js';
import { type DecodeOptions, decodeImage } from './image.js';
import { OfficerPresenceMonitor, type PresenceChange, type PresenceOptions } from './presence.js';
import { IouTracker, type Track } from './tracker.js';
import { type AnalyseOptions, centreIn, type FrameAnalysis, type NormBox, type RgbImage } from './types.js';

/** Anything that analyses frames: a PerceptionWorker (production) or a PerceptionEngine. */
export interface FrameAnalyser {
  analyse(img: RgbImage, opts: AnalyseOptions): Promise<FrameAnalysis>;
}

export interface CounterPerceptionOptions {
  source: FrameSource;
  analyser: FrameAnalyser;
  /**
   * citizen: expressions on faces (visit aggregation); officer: detector only (presence);
   * both: one camera sees the officer's seat (seatRegion, presence only) and the citizen side.
   */
  role: 'citizen' | 'officer' | 'both';
  presence?: PresenceOptions;
  /** Frames are downscaled to this longer side before analysis (default 640). */
  decode?: DecodeOptions;
  exitWindowMs?: number;
  /** A citizen face must be seen on at least this many frames to produce a body (default 3). */
  minVisitFrames?: number;
  /** Faces narrower than this fraction of the frame are passers-by, not the citizen (default 0.06). */
  minFaceWidth?: number;
  trackMaxMissingMs?: number;
  /** Maps a finished face track to the agent's visit, if any. */
  resolveVisitId?: (startedAt: number, endedAt: number) => string | null;
}

export interface CameraStats {
  state: 'off' | 'running' | 'error';
  fps: number | null;
  inferenceMs: number | null;
  error: string | null;
}

export interface CounterPerceptionEvents {
  expression: [ExpressionBody];
  presence: [PresenceChange];
  error: [SourceError];
}

/**
 * The camera loop of a counter device: frames -> decode (sharp, in memory) -> analysis (worker
 * thread) -> face tracks -> visit expression bodies and officer presence changes. Frames are
 * processed one at a time; while one is in the worker the source keeps only the newest, so latency
 * stays bounded on a slow board. Nothing is written to disk and only numbers are emitted.
 */
export class CounterPerception extends EventEmitter<CounterPerceptionEvents> {
  private readonly tracker: IouTracker;
  private readonly visits = new Map<number, VisitExpressionAggregator>();
  private readonly presence: OfficerPresenceMonitor | null;
  private state: CameraStats = { state: 'off', fps: null, inferenceMs: null, error: null };
  private lastFrameTs = Number.NaN;
  private running: Promise<void> | null = null;

  constructor(private readonly opts: CounterPerceptionOptions) {
    super();
    this.tracker = new IouTracker({
      ...(opts.trackMaxMissingMs !== undefined ? { maxMissingMs: opts.trackMaxMissingMs } : {}),
    });
    this.presence = opts.role === 'citizen' ? null : new OfficerPresenceMonitor(opts.presence ?? {});
  }

  /** Telemetry view, shaped like the protocol's `telemetry.camera`. */
  stats(): CameraStats {
    return { ...this.state };
  }

  /** Runs until the source ends or stop() is called; never rejects on camera/inference faults. */
  start(): Promise<void> {
    this.running ??= this.loop();
    return this.running;
  }

  async stop(): Promise<void> {
    await this.opts.source.stop();
    await this.running;
  }

  private async loop(): Promise<void> {
    const { source } = this.opts;
    this.state = { state: 'running', fps: null, inferenceMs: null, error: null };
    for await (const frame of source) {
      try {
        const img = await decodeImage(frame.data, this.opts.decode ?? { maxSide: 640 });
        const analysis = await this.opts.analyser.analyse(img, this.analyseOptions());
        this.observe(frame.ts, analysis);
      } catch (err) {
        // A corrupt frame or a failed inference costs one frame, not the loop.
        this.state.error = String(err).slice(0, 200);
      }
    }
    this.endAllVisits();
    const err = source.lastError;
    this.state = {
      ...this.state,
      state: err ? 'error' : 'off',
      error: err ? `${err.reason}: ${err.message}` : null,
    };
    if (err && this.listenerCount('error') > 0) this.emit('error', err);
  }

  private analyseOptions(): AnalyseOptions {
    const { role, presence } = this.opts;
    if (role === 'officer') return { expressions: false };
    if (role === 'both' && presence?.seatRegion)
      return { expressions: true, excludeRegions: [presence.seatRegion] };
    return { expressions: true };
  }

  private observe(ts: number, a: FrameAnalysis): void {
    if (!Number.isNaN(this.lastFrameTs) && ts > this.lastFrameTs) {
      const fps = 1000 / (ts - this.lastFrameTs);
      this.state.fps = this.state.fps === null ? fps : 0.9 * this.state.fps + 0.1 * fps;
    }
    this.lastFrameTs = ts;
    this.state.inferenceMs =
      this.state.inferenceMs === null ? a.inferenceMs : 0.9 * this.state.inferenceMs + 0.1 * a.inferenceMs;

    const seat: NormBox | undefined = this.opts.presence?.seatRegion;
    if (this.presence) {
      const change = this.presence.update(
        ts,
        a.faces.map((f) => f.box),
        a.width,
        a.height,
      );
      if (change) this.emit('presence', change);
    }
    if (this.opts.role === 'officer') return;

    const minW = (this.opts.minFaceWidth ?? 0.06) * a.width;
    const citizens = a.faces.filter(
      (f) => f.expressions && f.box[2] >= minW && !(seat && centreIn(f.box, seat, a.width, a.height)),
    );
    const upd = this.tracker.update(
      ts,
      citizens.map((f) => f.box),
    );
    upd.ids.forEach((id, i) => {
      const expr = citizens[i]?.expressions;
      if (!expr) return;
      let agg = this.visits.get(id);
      if (!agg) {
        agg = new VisitExpressionAggregator(
          this.opts.exitWindowMs !== undefined ? { exitWindowMs: this.opts.exitWindowMs } : {},
        );
        this.visits.set(id, agg);
      }
      agg.add(ts, expr);
    });
    for (const t of upd.ended) this.endVisit(t);
  }

  private endVisit(t: Track): void {
    const agg = this.visits.get(t.id);
    this.visits.delete(t.id);
    if (!agg || agg.frames < (this.opts.minVisitFrames ?? 3)) return;
    const visitId = this.opts.resolveVisitId?.(agg.startedAt, agg.lastSeen) ?? null;
    const body = agg.finish({ visitId });
    if (body) this.emit('expression', body);
  }

  private endAllVisits(): void {
    for (const t of this.tracker.flush()) this.endVisit(t);
  }
}
