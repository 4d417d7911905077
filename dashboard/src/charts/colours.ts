/**
 * The charts' palette, beside the pages' (`layout.ts`): the share in the header's blue, volume
 * and the interval as quiet tints behind it, the target as a dark dashed rule, and too-few points
 * in the same grey the tables use for "too few ratings", never a good or bad colour.
 */
export const CHART_COLOURS = {
  share: '#003d99',
  band: 'rgba(0,61,153,0.16)',
  volume: '#d5dce8',
  target: '#444',
  tooFew: '#888',
  heatLow: '#eef3fb',
  heatHigh: '#003d99',
} as const;

/** The three official levels, in the tones the tables' distribution bars use (pages/unit.ts). */
export const OFFICIAL_LEVEL_COLOURS = {
  very_satisfied: '#0a6b2d',
  satisfied: '#5aa469',
  unsatisfied: '#b00020',
} as const;
