import type { PixelBox } from './types.js';

export interface Track {
  id: number;
  box: PixelBox;
  firstSeen: number;
  lastSeen: number;
  hits: number;
}

export interface TrackUpdate {
  /** For each input box, the id of the track it was assigned to (same order as the input). */
  ids: number[];
  started: Track[];
  ended: Track[];
}

export function boxIou(a: PixelBox, b: PixelBox): number {
  const w = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  const inter = w * h;
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Keeps face identities across frames by box overlap alone (no embeddings: identity never leaves
 * the frame-to-frame geometry, which is all a counter needs and all privacy allows). Greedy
 * matching on IoU, highest first; a track ends after `maxMissingMs` without a match.
 */
export class IouTracker {
  private readonly live = new Map<number, Track>();
  private nextId = 1;

  constructor(private readonly opts: { iouThreshold?: number; maxMissingMs?: number } = {}) {}

  get tracks(): Track[] {
    return [...this.live.values()];
  }

  update(ts: number, boxes: PixelBox[]): TrackUpdate {
    const threshold = this.opts.iouThreshold ?? 0.3;
    const pairs: Array<{ t: Track; i: number; iou: number }> = [];
    for (const t of this.live.values()) {
      boxes.forEach((b, i) => {
        const iou = boxIou(t.box, b);
        if (iou >= threshold) pairs.push({ t, i, iou });
      });
    }
    pairs.sort((p, q) => q.iou - p.iou || p.t.id - q.t.id || p.i - q.i);
    const ids = new Array<number>(boxes.length).fill(0);
    const used = new Set<number>();
    for (const { t, i } of pairs) {
      if (used.has(t.id) || ids[i] !== 0) continue;
      used.add(t.id);
      ids[i] = t.id;
      t.box = boxes[i] as PixelBox;
      t.lastSeen = ts;
      t.hits++;
    }
    const started: Track[] = [];
    boxes.forEach((b, i) => {
      if (ids[i] !== 0) return;
      const t: Track = { id: this.nextId++, box: b, firstSeen: ts, lastSeen: ts, hits: 1 };
      this.live.set(t.id, t);
      ids[i] = t.id;
      started.push(t);
    });
    const ended = this.expire(ts);
    return { ids, started, ended };
  }

  /** Ends tracks unseen for longer than maxMissingMs at time `ts`. */
  expire(ts: number): Track[] {
    const maxMissing = this.opts.maxMissingMs ?? 1500;
    const ended: Track[] = [];
    for (const t of this.live.values()) {
      if (ts - t.lastSeen > maxMissing) {
        this.live.delete(t.id);
        ended.push(t);
      }
    }
    return ended;
  }

  /** Ends every track (source stopped). */
  flush(): Track[] {
    const all = [...this.live.values()];
    this.live.clear();
    return all;
  }
}
