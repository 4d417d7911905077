import { z } from 'zod';
import { MAX_VISIT_FRAMES, measured } from '../bounds.js';
import { DeviceClockMs, DossierId, OfficerId, QueueTicket, Uuid } from '../ids.js';
import { isValidLevel, MAX_LEVEL, RatingScale, SCALE_LEVELS } from '../rating-scale.js';
import { HOUR_MS } from '../vietnam-time.js';
import { envelopeShape } from './envelope.js';

/** A short reason code chosen on the touch screen after a negative rating, e.g. `slow`, `rude`. */
export const ReasonCode = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,31}$/, 'reason codes are snake_case, 1–32 characters');

export const RatingEvent = z
  .strictObject({
    ...envelopeShape,
    visitId: Uuid.nullable(),
    /** Only set when that officer was signed in at this counter at the moment of the press. */
    officerId: OfficerId.nullable(),
    dossierIds: z.array(DossierId).max(20),
    ticket: QueueTicket.nullable(),
    scale: RatingScale,
    level: z.int().min(1).max(MAX_LEVEL),
    source: z.enum(['keypad', 'touch']),
    reasons: z.array(ReasonCode).max(8),
    /**
     * Time from the rating prompt to the press; null when pressed without a prompt (touch re-rate).
     * The prompt closes after at most 5 minutes (settings): an hour is generous, and fits `integer`.
     */
    responseMs: z.int().min(0).max(HOUR_MS).nullable(),
  })
  .check((ctx) => {
    const { scale, level } = ctx.value;
    if (isValidLevel(scale, level)) return;
    ctx.issues.push({
      code: 'too_big',
      origin: 'number',
      maximum: SCALE_LEVELS[scale],
      inclusive: true,
      input: level,
      path: ['level'],
      message: `level is out of range for its scale (${scale}: 1–${SCALE_LEVELS[scale]})`,
    });
  })
  // zod cannot export the check above to JSON Schema: the same rule, from the same table, so
  // that integrators and the compiled validator (compiled.ts) enforce it too.
  .meta({
    anyOf: RatingScale.options.map((scale) => ({
      properties: {
        scale: { const: scale },
        level: { type: 'integer', minimum: 1, maximum: SCALE_LEVELS[scale] },
      },
    })),
  });

export const VisitStartTrigger = z.enum(['ticket', 'dossier', 'face', 'officer']);
export const VisitEndReason = z.enum([
  'rated',
  'rating_timeout',
  'next_visit',
  'officer',
  'signed_out',
  'face_left',
  /** The agent stopped (maintenance, update, end of day) with a visit or prompt still open. */
  'shutdown',
]);

export const VisitEvent = z.discriminatedUnion('phase', [
  z.strictObject({
    ...envelopeShape,
    phase: z.literal('start'),
    visitId: Uuid,
    officerId: OfficerId.nullable(),
    ticket: QueueTicket.nullable(),
    trigger: VisitStartTrigger,
    startedAt: DeviceClockMs,
  }),
  z.strictObject({
    ...envelopeShape,
    phase: z.literal('end'),
    visitId: Uuid,
    officerId: OfficerId.nullable(),
    ticket: QueueTicket.nullable(),
    dossierIds: z.array(DossierId).max(20),
    startedAt: DeviceClockMs,
    endedAt: DeviceClockMs,
    reason: VisitEndReason,
    rated: z.boolean(),
  }),
]);

export const PresenceSource = z.enum(['badge', 'face', 'camera', 'kiosk', 'timeout', 'command']);

/**
 * Two kinds of presence: an officer's signed-in session at the counter (who answers for ratings),
 * and whether the officer's seat is physically occupied (seen by a camera).
 */
export const PresenceEvent = z.discriminatedUnion('kind', [
  z.strictObject({
    ...envelopeShape,
    kind: z.literal('session'),
    state: z.enum(['signed_in', 'signed_out']),
    officerId: OfficerId,
    source: PresenceSource,
  }),
  z.strictObject({
    ...envelopeShape,
    kind: z.literal('seat'),
    state: z.enum(['occupied', 'empty']),
    officerId: OfficerId.nullable(),
    source: PresenceSource,
  }),
]);

const probability = measured(0, 1);
export const ExpressionProbabilities = z.strictObject({
  neutral: probability,
  happy: probability,
  sad: probability,
  angry: probability,
  fearful: probability,
  disgusted: probability,
  surprised: probability,
});

/** Numbers only: no frame, crop or embedding of a citizen ever leaves the device. */
export const ExpressionEvent = z.strictObject({
  ...envelopeShape,
  visitId: Uuid.nullable(),
  officerId: OfficerId.nullable(),
  startedAt: DeviceClockMs,
  endedAt: DeviceClockMs,
  /** `expression_summaries.frames` is an `integer` column; see MAX_VISIT_FRAMES. */
  frames: z.int().min(0).max(MAX_VISIT_FRAMES),
  exitFrames: z.int().min(0).max(MAX_VISIT_FRAMES),
  mean: ExpressionProbabilities,
  exit: ExpressionProbabilities,
  satisfactionIndex: probability,
  confidence: probability,
});

export type RatingEvent = z.infer<typeof RatingEvent>;
export type VisitEvent = z.infer<typeof VisitEvent>;
export type PresenceEvent = z.infer<typeof PresenceEvent>;
export type ExpressionEvent = z.infer<typeof ExpressionEvent>;
export type ExpressionProbabilities = z.infer<typeof ExpressionProbabilities>;
