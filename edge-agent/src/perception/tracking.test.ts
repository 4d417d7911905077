import { describe, expect, it } from 'vitest';
import { satisfactionOf, VisitExpressionAggregator } from './aggregator.js';
import { OfficerPresenceMonitor } from './presence.js';
import { IouTracker } from './tracker.js';
import type { Expr7, PixelBox } from './types.js';

const expr = (p: Partial<Expr7>): Expr7 => ({
  neutral: 0,
  happy: 0,
  sad: 0,
  angry: 0,
  fearful: 0,
  disgusted: 0,
  surprised: 0,
  ...p,
});

describe('IouTracker', () => {
  it('keeps identities of two moving faces and ends a track after it is missing long enough', () => {
    const t = new IouTracker({ maxMissingMs: 1000 });
    const a: PixelBox = [100, 100, 80, 80];
    const b: PixelBox = [400, 120, 70, 70];
    const first = t.update(0, [a, b]);
    expect(first.started).toHaveLength(2);
    const [ida, idb] = first.ids;
    // Order of detections changes, boxes move a little: ids follow the faces.
    const second = t.update(200, [
      [405, 118, 70, 72],
      [110, 104, 80, 80],
    ]);
    expect(second.ids).toEqual([idb, ida]);
    expect(t.update(900, [[112, 104, 80, 80]]).ended).toEqual([]);
    const gone = t.update(1300, [[114, 104, 80, 80]]);
    expect(gone.ended.map((x) => x.id)).toEqual([idb]);
    expect(t.flush().map((x) => x.id)).toEqual([ida]);
  });
});

describe('VisitExpressionAggregator', () => {
  it('satisfaction index: neutral 0.5, happy 1, negative 0, and stays in [0, 1]', () => {
    expect(satisfactionOf(expr({ neutral: 1 }))).toBe(0.5);
    expect(satisfactionOf(expr({ happy: 1 }))).toBe(1);
    expect(satisfactionOf(expr({ angry: 0.5, sad: 0.5 }))).toBe(0);
    expect(satisfactionOf(expr({ surprised: 1 }))).toBe(0.5);
  });

  it('aggregates the visit mean and the exit window separately', () => {
    const agg = new VisitExpressionAggregator({ exitWindowMs: 1000, visitId: 'v1' });
    for (let i = 0; i < 10; i++) agg.add(1000 + i * 200, expr({ neutral: 1 }));
    for (let i = 0; i < 5; i++) agg.add(3000 + i * 200, expr({ happy: 1 }));
    const body = agg.finish();
    expect(body).not.toBeNull();
    if (!body) return;
    expect(body.visitId).toBe('v1');
    expect(body.startedAt).toBe(1000);
    expect(body.endedAt).toBe(3800);
    expect(body.frames).toBe(15);
    // Window [2800, 3800]: 5 happy frames and the neutral frame at 2800.
    expect(body.exitFrames).toBe(6);
    expect(body.exit.happy).toBeCloseTo(5 / 6, 4);
    expect(body.mean.happy).toBeCloseTo(5 / 15, 4);
    const sum = Object.values(body.mean).reduce((x, y) => x + y, 0);
    expect(sum).toBeCloseTo(1, 3);
    const expected = 0.7 * (0.5 + 0.5 * (5 / 6)) + 0.3 * (0.5 + 0.5 * (5 / 15));
    expect(body.satisfactionIndex).toBeCloseTo(expected, 3);
  });

  it('confidence grows with exit frames and shrinks with flicker', () => {
    const steady = (n: number) => {
      const agg = new VisitExpressionAggregator({ exitWindowMs: 60_000 });
      for (let i = 0; i < n; i++) agg.add(i * 100, expr({ happy: 0.8, neutral: 0.2 }));
      return agg.finish()?.confidence ?? Number.NaN;
    };
    expect(steady(2)).toBeLessThan(steady(10));
    expect(steady(10)).toBeLessThan(steady(40));
    expect(steady(40)).toBeLessThanOrEqual(1);
    const flicker = new VisitExpressionAggregator({ exitWindowMs: 60_000 });
    for (let i = 0; i < 40; i++) flicker.add(i * 100, i % 2 ? expr({ happy: 1 }) : expr({ angry: 1 }));
    expect(flicker.finish()?.confidence).toBeLessThan(0.05);
    expect(new VisitExpressionAggregator().finish()).toBeNull();
  });
});

describe('OfficerPresenceMonitor', () => {
  const seat: [number, number, number, number] = [0, 0, 0.5, 1];
  const inSeat: PixelBox = [100, 100, 80, 80];
  const citizen: PixelBox = [500, 100, 80, 80];

  it('enters after k frames, ignores faces outside the seat, leaves only after m seconds', () => {
    const m = new OfficerPresenceMonitor({ seatRegion: seat, enterFrames: 3, leaveAfterMs: 5000 });
    const at = (ts: number, boxes: PixelBox[]) => m.update(ts, boxes, 640, 480);
    expect(at(0, [citizen])).toBeNull();
    expect(at(100, [inSeat])).toBeNull();
    expect(at(200, [inSeat])).toBeNull();
    expect(at(300, [inSeat, citizen])).toEqual({ present: true, at: 100, source: 'camera' });
    // Short glances away (missed detections) do not flap the state.
    expect(at(400, [])).toBeNull();
    expect(at(3000, [citizen])).toBeNull();
    expect(at(4000, [inSeat])).toBeNull();
    expect(at(8999, [])).toBeNull();
    expect(at(9000, [citizen])).toEqual({ present: false, at: 4000, source: 'camera' });
    expect(m.present).toBe(false);
  });
});
