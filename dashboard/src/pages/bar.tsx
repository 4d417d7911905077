import type { FC } from 'hono/jsx';

export interface BarSegment {
  /** Share of the whole bar, 0–1. */
  share: number;
  colour: string;
}

/**
 * A stacked bar drawn as SVG: widths and colours are attributes of the drawing, not inline
 * `style`, which the Content-Security-Policy does not allow in our markup.
 */
export const Bar: FC<{ segments: readonly BarSegment[]; label?: string }> = ({ segments, label }) => {
  let x = 0;
  const rects = segments.map((s) => {
    const width = Number((s.share * 100).toFixed(2));
    const rect = <rect x={x.toFixed(2)} y="0" width={width} height="1" fill={s.colour} />;
    x += width;
    return rect;
  });
  return (
    <svg class="bar" viewBox="0 0 100 1" preserveAspectRatio="none" role="img" aria-label={label}>
      {rects}
    </svg>
  );
};
