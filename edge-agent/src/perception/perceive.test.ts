import { fixtureImages } from '@onestop/models';
import { describe, expect, it } from 'vitest';
import { perceiveImages } from './perceive.js';
import { topExpression } from './types.js';

describe('perceiveImages on real photographs', () => {
  it('finds the astronaut and labels her smile happy; finds the groups; nothing on a cat or a cup', async () => {
    const fx = await fixtureImages();
    const files = [fx.astronaut, fx.chelsea, fx.coffee, ...fx.faceApiSamples];
    const res = await perceiveImages(files, { intraOpNumThreads: 2 });
    const [astronaut, cat, cup, ...groups] = res;
    console.log(
      JSON.stringify(
        res.map((r) => [
          r.file.split('/').pop(),
          r.ms,
          r.faces.length,
          r.faces.map((f) => topExpression(f.expressions)),
        ]),
      ),
    );
    expect(astronaut?.faces).toHaveLength(1);
    const face = astronaut!.faces[0]!;
    expect(topExpression(face.expressions)).toBe('happy');
    expect(face.expressions.happy).toBeGreaterThan(0.5);
    // Her face is in the upper middle of the 512x512 portrait.
    const [x, y, w, h] = face.box;
    expect(x + w / 2).toBeGreaterThan(150);
    expect(x + w / 2).toBeLessThan(300);
    expect(y + h / 2).toBeLessThan(220);
    expect(w).toBeGreaterThan(60);
    expect(cat?.faces).toHaveLength(0);
    expect(cup?.faces).toHaveLength(0);
    expect(groups.reduce((n, g) => n + g.faces.length, 0)).toBeGreaterThanOrEqual(15);
    for (const g of groups) {
      for (const f of g.faces) {
        const sum = Object.values(f.expressions).reduce((a, b) => a + b, 0);
        expect(sum).toBeCloseTo(1, 4);
      }
    }
  });
});
