import { centreIn, type NormBox, type PixelBox } from './types.js';

/** A change of the officer's seat state as seen by a camera. */
export interface PresenceChange {
  present: boolean;
  /** When it happened: the first frame of the arrival streak, or the last frame the face was seen. */
  at: number;
  source: 'camera';
}

export interface PresenceOptions {
  /** The officer's seat as a normalised box; faces whose centre is inside count. Default: whole frame. */
  seatRegion?: NormBox;
  /** Consecutive frames with a face before the seat counts as occupied (default 3). */
  enterFrames?: number;
  /** Time without a face before the seat counts as empty (default 10 s: a glance away is not leaving). */
  leaveAfterMs?: number;
}

/**
 * Officer presence from the detector only (no expression model ever runs on officer faces), with
 * hysteresis so a missed detection or a turned head does not flap the state.
 */
export class OfficerPresenceMonitor {
  private state = false;
  private streak = 0;
  private streakStart = 0;
  private lastSeen = Number.NaN;

  constructor(private readonly opts: PresenceOptions = {}) {}

  get present(): boolean {
    return this.state;
  }

  /** Feeds one analysed frame; returns a change when the state flips. */
  update(ts: number, boxes: PixelBox[], width: number, height: number): PresenceChange | null {
    const region = this.opts.seatRegion;
    const seen = boxes.some((b) => !region || centreIn(b, region, width, height));
    if (seen) {
      if (this.streak === 0) this.streakStart = ts;
      this.streak++;
      this.lastSeen = ts;
      if (!this.state && this.streak >= (this.opts.enterFrames ?? 3)) {
        this.state = true;
        return { present: true, at: this.streakStart, source: 'camera' };
      }
      return null;
    }
    this.streak = 0;
    return this.tick(ts);
  }

  /** Time passing without frames (e.g. a stalled camera) can also end presence. */
  tick(ts: number): PresenceChange | null {
    if (this.state && ts - this.lastSeen >= (this.opts.leaveAfterMs ?? 10_000)) {
      this.state = false;
      return { present: false, at: this.lastSeen, source: 'camera' };
    }
    return null;
  }
}
