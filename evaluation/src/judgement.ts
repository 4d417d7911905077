/**
 * How the centre judges each placed rating at ingest (store/src/judge implements exactly this, in
 * SQL; the codes below are what it stores and what the dashboard labels). Two independent
 * verdicts, both recomputed whenever late presence or a late neighbouring press could change them:
 *
 * ATTRIBUTION: a rating counts against the officer it names only if the centre itself can see that
 * officer signed in at that counter at that moment, never on the device's word. `verified` needs
 * an officer on this unit's roster (not retired at the time) and one of that officer's sessions on
 * this device covering the placed time (`started_at` ≤ at < `ended_at`, or still open) that is
 * still the officer's latest sign-in in the unit: an officer is at one counter at a time, so a
 * sign-in of theirs at another counter of the unit at or after the start of this session (and at
 * or before the rating) supersedes it, whether or not that other session has ended since; to be
 * credited here again the officer signs in here again. Two sign-ins at two counters at the same
 * instant supersede each other (the centre cannot tell which is true, so neither counter is
 * credited). Sign-ins at another unit's devices are ignored: they name an officer not on that
 * unit's roster, and a device of one ward must not be able to void another ward's ratings.
 * Another device of the same counter (a second board at one desk) is not "elsewhere".
 * Otherwise `unverified`, with the first reason that holds, in this order.
 *
 * FILTER: misuse rules in the manner of HappyOrNot, thresholds from the unit's settings. A filtered
 * rating is kept, counted and shown as filtered, never dropped and never in an officer's figures.
 * Each rule looks only at raw facts (times, presence, other presses' existence), never at another
 * rating's verdict, so the outcome is the same whatever order events arrive in; when several rules
 * hold, the first in this order names it.
 *
 * A rating that counts for its officer is `verified` with no filter. Quarantined ratings (time not
 * placed) are not judged; they stay `pending` and count nowhere until placed.
 */

export const ATTRIBUTIONS = ['verified', 'unverified'] as const;
export type Attribution = (typeof ATTRIBUTIONS)[number];

/** Why a rating is unverified, in order of precedence. */
export const ATTRIBUTION_REASONS = [
  /** The device named no officer. */
  'no_officer',
  /** The named officer is on no roster at all (not in `officers`). */
  'unknown_officer',
  /** The officer belongs to another unit, or had retired before the rating. */
  'not_on_roster',
  /**
   * A session of the officer on this device covers the rating, but the officer signed in at
   * another counter of the unit since that session began (at or before the rating).
   */
  'signed_in_elsewhere',
  /**
   * The device's latest session begun before the rating was that officer's and had ended: they
   * signed out and nobody signed in there since.
   */
  'after_sign_out',
  /** Someone else was signed in at this device then, or nobody had been since it was set up. */
  'not_signed_in',
] as const;
export type AttributionReason = (typeof ATTRIBUTION_REASONS)[number];

/**
 * A rating "belongs to a visit" only if the centre stored that visit (its start or end event) on
 * the same device and the rating's placed time lies in it: from the visit's start until
 * RATING_AFTER_VISIT_MS after its end. A `visitId` the centre cannot see, or that does not cover
 * the rating, counts as no visit (the nobody-at-counter and burst filters apply); a visit whose
 * end is not known yet, or that ran longer than VISIT_MAX_MS, is taken to end VISIT_MAX_MS after
 * its start.
 *
 * VISIT_MAX_MS, the longest visit the centre believes: a counter agent ends a visit after at most 4 hours with
 * no activity (protocol CounterSettings `visitIdleTimeoutMs`, its maximum); a real visit takes
 * minutes.
 */
export const VISIT_MAX_MS = 4 * 3_600_000;
/**
 * How long after a visit ends its rating may be recorded: the longest rating prompt a counter can
 * be configured with (CounterSettings `ratingTimeoutMs`, at most 300 s), plus the 15 s the touch
 * screen waits for the reasons of a negative rating (the rating is recorded then), plus 15 s of
 * slack. The centre does not use each device's own setting: it may have changed since.
 */
export const RATING_AFTER_VISIT_MS = 330_000;
/** How far apart two presses of one visit can be placed: the repeat_in_visit look-back. */
export const VISIT_REACH_MS = VISIT_MAX_MS + RATING_AFTER_VISIT_MS;

/** Why a rating is filtered, in order of precedence. */
export const FILTER_REASONS = [
  /** Placed outside the unit's opening hours for that weekday (Vietnam time). */
  'outside_hours',
  /**
   * Pressed with no visit (as defined above), no officer session and no occupied seat on the
   * device at that moment.
   */
  'nobody_at_counter',
  /**
   * An earlier press on the same device (earlier placed time, or the same time and a smaller
   * event ID) lies less than the unit's rapid-repeat window before it.
   */
  'rapid_repeat',
  /**
   * An earlier press on the same device (as ordered for rapid_repeat, at most VISIT_REACH_MS
   * before) named the same `visitId`: one citizen, one rating. Only the first press of a visit
   * counts, whether or not the centre has stored the visit itself.
   */
  'repeat_in_visit',
  /**
   * Pressed with no visit, and the device's presses with no visit (each as defined above) in the window
   * `(at − burst window, at]` (this one included) number more than the unit's burst limit.
   */
  'burst_without_visit',
] as const;
export type FilterReason = (typeof FILTER_REASONS)[number];
