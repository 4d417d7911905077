import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** A service centre / point (Trung tâm / Điểm Phục vụ hành chính công) of one ward or commune. */
export const units = pgTable('units', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** City or province, so the city centre can compare its wards. */
  province: text('province').notNull().default(''),
  createdAt: ts('created_at').notNull().defaultNow(),
  /**
   * The unit's evaluation settings (opening hours, misuse thresholds), validated and defaulted by
   * `UnitSettings` in @onestop/evaluation; `{}` means every default.
   */
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
});

export const counters = pgTable(
  'counters',
  {
    unitId: text('unit_id')
      .notNull()
      .references(() => units.id),
    id: text('id').notNull(),
    name: text('name').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.unitId, t.id] })],
);

/** A counter device. Only a hash of its MQTT password is kept (`hashGeneratedSecret`; scrypt for older devices). */
export const devices = pgTable(
  'devices',
  {
    id: text('id').primaryKey(),
    unitId: text('unit_id').notNull(),
    counterId: text('counter_id').notNull(),
    username: text('username').notNull().unique(),
    passwordHash: text('password_hash').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    revokedAt: ts('revoked_at'),
    lastSeenAt: ts('last_seen_at'),
    status: text('status').notNull().default('never_seen'),
    bootId: uuid('boot_id'),
    agentVersion: text('agent_version'),
    appliedConfigVersion: integer('applied_config_version'),
    birth: jsonb('birth'),
    /**
     * When the broker received `birth` (the centre's clock). With the birth's `mono` it anchors
     * the boot to within a delivery delay: a birth is sent live, never queued (time/placement.ts).
     */
    birthReceivedAt: ts('birth_received_at'),
    telemetry: jsonb('telemetry'),
    /**
     * The board that took this one's counter (`device replace`). Until it is revoked the device
     * is draining: it may still deliver its queued events (attributed to the counter as before),
     * and gets no settings, no commands, no alerts, and is not the counter's live board.
     */
    replacedBy: text('replaced_by'),
    /** A draining device not drained by then is revoked (store/src/lifecycle). */
    drainUntil: ts('drain_until'),
  },
  (t) => [index('devices_unit_counter_idx').on(t.unitId, t.counterId)],
);

/**
 * Desired settings of a counter (not of a board: a replaced board's successor gets them at
 * once), published retained on the `config` topic of each of the counter's active devices.
 * The version only rises, whichever board runs the counter.
 */
export const counterConfigs = pgTable(
  'counter_configs',
  {
    unitId: text('unit_id').notNull(),
    counterId: text('counter_id').notNull(),
    version: integer('version').notNull(),
    settings: jsonb('settings').notNull(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.unitId, t.counterId] })],
);

/**
 * A device's telemetry over time, one row per device and minute (the latest of that minute):
 * what the console's charts draw. Written by a trigger on `devices.telemetry`, whichever part
 * stores it; kept `TELEMETRY_KEEP_DAYS` by the upkeep.
 */
export const deviceTelemetry = pgTable(
  'device_telemetry',
  {
    deviceId: text('device_id').notNull(),
    minute: ts('minute').notNull(),
    cpuTempC: real('cpu_temp_c'),
    load1: real('load1'),
    cameraFps: real('camera_fps'),
    outboxDepth: integer('outbox_depth'),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.minute] }), index('device_telemetry_minute_idx').on(t.minute)],
);

/**
 * One-time pairing codes: a technician issues one for a device ("Add device"), the board claims
 * it once (`onestop agent pair CODE`) and receives its credentials. Only a SHA-256 of the code is
 * kept: codes are short enough to type, so what protects them is their expiry, single use and
 * the claim route's per-address throttle, not the hash.
 */
export const pairingCodes = pgTable(
  'pairing_codes',
  {
    id: serial('id').primaryKey(),
    codeHash: text('code_hash').notNull().unique(),
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id),
    createdBy: text('created_by').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    claimedAt: ts('claimed_at'),
    /** The address the claim came from, for the audit trail. */
    claimedFrom: text('claimed_from'),
    /** Refused claims of this code (again after use, expired, device revoked). */
    refusedClaims: integer('refused_claims').notNull().default(0),
  },
  (t) => [index('pairing_codes_device_idx').on(t.deviceId)],
);

export const officers = pgTable('officers', {
  id: text('id').primaryKey(),
  unitId: text('unit_id').notNull(),
  name: text('name').notNull(),
  /** What the counter's badge reader reads for this officer; null = the badge carries the ID. */
  badge: text('badge'),
  createdAt: ts('created_at').notNull().defaultNow(),
  /** Left the unit: off the roster sent to devices; history keeps pointing here. */
  retiredAt: ts('retired_at'),
});

/**
 * Every accepted device event, once: the primary key on `event_id` is what makes ingest
 * idempotent (a redelivered QoS 1 message inserts nothing and is acknowledged again).
 */
export const events = pgTable(
  'events',
  {
    eventId: uuid('event_id').primaryKey(),
    type: text('type').notNull(),
    unitId: text('unit_id').notNull(),
    counterId: text('counter_id').notNull(),
    deviceId: text('device_id').notNull(),
    bootId: uuid('boot_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    /** What the device's clock said: kept as claimed, never used for periods. */
    deviceTs: ts('device_ts').notNull(),
    /**
     * When the event happened as the centre can defend it (see `placeTimes`): the device clock
     * when it agrees with the boot's monotonic clock, else re-based on `(bootId, mono)`. Null:
     * quarantined, the time cannot be placed; stored, never counted.
     */
    at: ts('at'),
    /** `device` | `rebased` | `quarantined`. */
    timeSource: text('time_source').notNull().default('device'),
    receivedAt: ts('received_at').notNull().defaultNow(),
    payload: jsonb('payload').notNull(),
  },
  (t) => [
    index('events_device_idx').on(t.deviceId, t.bootId, t.seq),
    // The outbox order across boots (seq never goes backwards on a device): time/placement.ts.
    index('events_device_seq_idx').on(t.deviceId, t.seq),
    index('events_quarantined_idx').on(t.deviceId, t.receivedAt).where(sql`${t.at} is null`),
    // Presence intervals are re-derived from a device's presence events around a late one.
    index('events_presence_device_at_idx').on(t.deviceId, t.at).where(sql`${t.type} = 'presence'`),
  ],
);

/**
 * What the centre knows of one boot of one device: the latest instant it can have booted at
 * (`min(received_at - mono)` over the events received while that boot was live), which turns any
 * event's `mono` into a defensible time, and how far the device clock was off.
 */
export const deviceBoots = pgTable(
  'device_boots',
  {
    deviceId: text('device_id').notNull(),
    bootId: uuid('boot_id').notNull(),
    /** Upper bound of the boot instant, ms since epoch. */
    bootedAtMs: bigint('booted_at_ms', { mode: 'number' }).notNull(),
    /**
     * What `booted_at_ms` was learnt from: `birth` (a birth message, sent live: the bound is tight,
     * within a delivery delay) or `event` (events only, which may have waited in an outbox: an
     * upper bound and nothing more). See time/placement.ts.
     */
    anchor: text('anchor', { enum: ['birth', 'event'] })
      .notNull()
      .default('event'),
    /** The boot instant by the device's own clocks (`ts − mono`), from the events that anchored it. */
    claimedBootMs: bigint('claimed_boot_ms', { mode: 'number' }),
    /**
     * Device clock minus the boot's monotonic clock (`ts − (booted_at + mono)`) of a recent live
     * event, ms (positive: clock ahead); refreshed with `last_seen_at` (time/place.ts).
     */
    clockOffsetMs: bigint('clock_offset_ms', { mode: 'number' }).notNull().default(0),
    firstSeenAt: ts('first_seen_at').notNull().defaultNow(),
    lastSeenAt: ts('last_seen_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.bootId] })],
);

/** An officer's signed-in time at a counter: the basis for attributing ratings fairly. */
export const presenceIntervals = pgTable(
  'presence_intervals',
  {
    id: serial('id').primaryKey(),
    unitId: text('unit_id').notNull(),
    counterId: text('counter_id').notNull(),
    deviceId: text('device_id').notNull(),
    officerId: text('officer_id').notNull(),
    kind: text('kind').notNull(),
    startedAt: ts('started_at').notNull(),
    endedAt: ts('ended_at'),
    startEventId: uuid('start_event_id').notNull(),
    endEventId: uuid('end_event_id'),
  },
  (t) => [
    index('presence_open_idx').on(t.deviceId, t.kind, t.endedAt),
    index('presence_device_started_idx').on(t.deviceId, t.kind, t.startedAt),
    // An officer's sign-ins across the unit's counters (judge: signed in elsewhere since).
    index('presence_officer_started_idx').on(t.officerId, t.kind, t.startedAt),
    // A unit's sessions of a period (its page's presence table): without it, a scan of every
    // unit's sessions (~520,000 a year in a city, 50 ms on PostgreSQL) for each ward page.
    index('presence_unit_started_idx').on(t.unitId, t.kind, t.startedAt),
  ],
);

export const visits = pgTable(
  'visits',
  {
    id: uuid('id').primaryKey(),
    unitId: text('unit_id').notNull(),
    counterId: text('counter_id').notNull(),
    deviceId: text('device_id').notNull(),
    officerId: text('officer_id'),
    ticket: text('ticket'),
    dossierIds: text('dossier_ids').array().notNull().default(sql`'{}'::text[]`),
    trigger: text('trigger'),
    startedAt: ts('started_at').notNull(),
    endedAt: ts('ended_at'),
    endReason: text('end_reason'),
    rated: boolean('rated'),
  },
  (t) => [
    index('visits_unit_started_idx').on(t.unitId, t.startedAt),
    // The city page reads every unit's visits of a period (the Decision 766 dossiers).
    index('visits_started_idx').on(t.startedAt),
    // Search by dossier ID or queue ticket (dashboard `/search`), and each ingest batch's dossier
    // outcomes. No pending list (`fastupdate`): every probe would scan all of it, unsorted, until
    // a vacuum flushed it (migration 0042: 6 ms per batch's probes, was 0.1 ms without).
    index('visits_dossier_ids_idx').using('gin', t.dossierIds).with({ fastupdate: false }),
    index('visits_ticket_idx').on(t.ticket, t.startedAt),
  ],
);

export const ratings = pgTable(
  'ratings',
  {
    eventId: uuid('event_id').primaryKey(),
    unitId: text('unit_id').notNull(),
    counterId: text('counter_id').notNull(),
    deviceId: text('device_id').notNull(),
    officerId: text('officer_id'),
    visitId: uuid('visit_id'),
    dossierIds: text('dossier_ids').array().notNull().default(sql`'{}'::text[]`),
    ticket: text('ticket'),
    scale: text('scale').notNull(),
    level: smallint('level').notNull(),
    /** Derived at ingest: very_satisfied | satisfied | unsatisfied (Circular 01/2018). */
    official: text('official').notNull(),
    /** Derived at ingest: 0–100, comparable across scales. */
    score: smallint('score').notNull(),
    source: text('source').notNull(),
    reasons: text('reasons').array().notNull().default(sql`'{}'::text[]`),
    responseMs: integer('response_ms'),
    deviceTs: ts('device_ts').notNull(),
    /** The placed time (events.at): every period, filter and attribution uses it. Null: quarantined. */
    at: ts('at'),
    serverTs: ts('server_ts').notNull().defaultNow(),
    /**
     * `verified`: `officer_id` was signed in at this counter, on this unit's roster, at `at`.
     * `unverified`: counts for no officer; `attribution_reason` says why. `pending`: not judged yet,
     * either stored before the centre judged ratings (migration 0008; judged by the same code when
     * the store opens, `judgePending`) or quarantined (no placed time; judged once placed).
     */
    attribution: text('attribution').notNull().default('pending'),
    /** @onestop/evaluation ATTRIBUTION_REASONS: no_officer | unknown_officer | not_on_roster | signed_in_elsewhere | after_sign_out | not_signed_in */
    attributionReason: text('attribution_reason'),
    /**
     * Misuse filter that caught it (rapid_repeat | burst_without_visit | outside_hours |
     * nobody_at_counter): kept and counted as filtered, never in any officer's figures.
     */
    filterReason: text('filter_reason'),
  },
  (t) => [
    index('ratings_unit_at_idx').on(t.unitId, t.at),
    // The ratings stored last, of the city (the live feed, after every ingest batch while
    // someone watches) and of a unit (its page's live table): without these both read every
    // rating ever stored, 3 million in a city's year, to keep the newest few.
    index('ratings_stored_idx').on(t.serverTs),
    index('ratings_unit_stored_idx').on(t.unitId, t.serverTs),
    index('ratings_officer_at_idx').on(t.officerId, t.at),
    index('ratings_device_at_idx').on(t.deviceId, t.at),
    // A counter's ratings of a period (the dashboard's counter page, `drillRatings`).
    index('ratings_unit_counter_at_idx').on(t.unitId, t.counterId, t.at),
    // Search by dossier ID (`dossier_ids @> array[…]`) or queue ticket (dashboard `/search`), and
    // each ingest batch's dossier outcomes; no pending list, as `visits_dossier_ids_idx`.
    index('ratings_dossier_ids_idx').using('gin', t.dossierIds).with({ fastupdate: false }),
    index('ratings_ticket_idx').on(t.ticket, t.at),
    // Every unit's citizen ratings of a period (the city page's Decision 766 dossiers): placed and
    // not filtered, as `ratesTheUnit` and `countsForOfficer` both require.
    index('ratings_rated_at_idx').on(t.at).where(sql`${t.at} is not null and ${t.filterReason} is null`),
    // Placed ratings not yet judged (stored before 0008, or placed after a quarantine), found fast.
    index('ratings_pending_idx')
      .on(t.deviceId, t.at)
      .where(sql`${t.attribution} = 'pending' and ${t.at} is not null`),
  ],
);

/** Derived numbers only: no image, crop or embedding ever reaches the server. */
export const expressionSummaries = pgTable(
  'expression_summaries',
  {
    eventId: uuid('event_id').primaryKey(),
    unitId: text('unit_id').notNull(),
    counterId: text('counter_id').notNull(),
    deviceId: text('device_id').notNull(),
    officerId: text('officer_id'),
    visitId: uuid('visit_id'),
    startedAt: ts('started_at').notNull(),
    endedAt: ts('ended_at').notNull(),
    frames: integer('frames').notNull(),
    exitFrames: integer('exit_frames').notNull(),
    mean: jsonb('mean').notNull(),
    exit: jsonb('exit').notNull(),
    satisfactionIndex: real('satisfaction_index').notNull(),
    confidence: real('confidence').notNull(),
    /**
     * The models the device ran when it made this estimate (`birth.models` of the boot that sent
     * it), so a leader knows which model produced it; null when that boot's birth is unknown.
     */
    models: jsonb('models').$type<Array<{ name: string; sha256: string }>>(),
  },
  (t) => [
    index('expr_unit_ended_idx').on(t.unitId, t.endedAt),
    // The camera's estimate of one visit, beside that visit's rating (drill-down and raw exports).
    index('expr_visit_idx').on(t.visitId),
  ],
);

/** Citizens' comments left through the counter's QR code. */
export const comments = pgTable(
  'comments',
  {
    id: serial('id').primaryKey(),
    unitId: text('unit_id').notNull(),
    counterId: text('counter_id'),
    officerId: text('officer_id'),
    dossierId: text('dossier_id'),
    /**
     * What the citizen marked it as: `complaint` (Góp ý / Phản ánh) or `praise` (Khen); null when
     * not marked (comments before the form asked). Only a complaint counts against its dossier in
     * the Decision 766 indicator (dossiers.ts).
     */
    kind: text('kind'),
    body: text('body').notNull(),
    /** Phone or email the citizen chose to leave: shown to the unit's leaders only. */
    contact: text('contact'),
    createdAt: ts('created_at').notNull().defaultNow(),
    /** Follow-up: `new` until a leader marks it `handled` or `replied` (comments.ts). */
    status: text('status').notNull().default('new'),
    /** Username of the leader who last moved it on, and when. */
    handledBy: text('handled_by'),
    handledAt: ts('handled_at'),
    /** What the unit answered the citizen (state `replied`); null otherwise. */
    reply: text('reply'),
    /**
     * The visit whose signed comment code the citizen used (protocol comment-token.ts), and the
     * device that signed it; null for a comment from a general poster code, which names no
     * counter, officer or dossier.
     */
    visitId: text('visit_id'),
    deviceId: text('device_id'),
    /**
     * 1, 2, 3…: this comment's place among those sent with its visit's code. A code takes a few
     * (`MAX_COMMENTS_PER_VISIT`), not one: the QR code is on a screen, and whoever scans it first
     * (an officer, someone in the queue) must not be able to silence the citizen's own complaint.
     */
    visitCommentNo: smallint('visit_comment_no'),
  },
  (t) => [
    // At most one comment in each place of a visit: the cap holds under concurrent posts.
    uniqueIndex('comments_visit_idx')
      .on(t.deviceId, t.visitId, t.visitCommentNo)
      .where(sql`${t.visitId} is not null`),
    // "Was this dossier complained about" (`complaintAbout`), probed per dossier of a report.
    index('comments_complaint_dossier_idx').on(t.unitId, t.dossierId).where(sql`${t.kind} = 'complaint'`),
    // The ward leader's "new comments" badge, counted on every page they open.
    index('comments_new_unit_idx').on(t.unitId).where(sql`${t.status} = 'new'`),
    // Every comment naming a dossier, whatever its kind (dashboard `/search`).
    index('comments_dossier_idx').on(t.dossierId),
    // A unit's newest comments (its page, its comments list): without it each ward page read
    // every comment of the city (26,000 in the bench's year) to keep 20.
    index('comments_unit_created_idx').on(t.unitId, t.createdAt, t.id),
  ],
);

/**
 * Device health alerts for technicians (offline, outbox filling, camera or USB device failing).
 * At most one open alert per device and kind; resolving stamps `resolved_at` and keeps history.
 */
export const alerts = pgTable(
  'alerts',
  {
    id: serial('id').primaryKey(),
    unitId: text('unit_id').notNull(),
    deviceId: text('device_id'),
    kind: text('kind').notNull(),
    message: text('message').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    /** Cleared: by hand (`clearedBy`, `clearComment`) or on recovery (`clearedBy` null). */
    resolvedAt: ts('resolved_at'),
    /** A technician said they have seen it (ThingsBoard's ACTIVE_ACK); it stays open until cleared. */
    acknowledgedAt: ts('acknowledged_at'),
    acknowledgedBy: text('acknowledged_by'),
    /** The technician account it is assigned to (a `staff_accounts` username). */
    assignee: text('assignee'),
    clearedBy: text('cleared_by'),
    clearComment: text('clear_comment'),
  },
  (t) => [
    uniqueIndex('alerts_open_device_kind_idx').on(t.deviceId, t.kind).where(sql`${t.resolvedAt} is null`),
    index('alerts_unit_created_idx').on(t.unitId, t.createdAt),
  ],
);

/**
 * Who did what to an alert, when: opened and cleared on recovery by `system` (written by the
 * alerts table's triggers, whichever part changed it), acknowledged, assigned, commented and
 * cleared by hand by a person (written with the change).
 */
export const alertHistory = pgTable(
  'alert_history',
  {
    id: serial('id').primaryKey(),
    alertId: integer('alert_id')
      .notNull()
      .references(() => alerts.id, { onDelete: 'cascade' }),
    at: ts('at').notNull().defaultNow(),
    actor: text('actor').notNull(),
    /** opened | acknowledged | assigned | commented | cleared */
    action: text('action').notNull(),
    comment: text('comment'),
  },
  (t) => [index('alert_history_alert_idx').on(t.alertId, t.at)],
);

/** A unit's notification hook: alerts opened and cleared there are POSTed to `url` as JSON. */
export const unitAlertHooks = pgTable('unit_alert_hooks', {
  unitId: text('unit_id').primaryKey(),
  url: text('url').notNull(),
  updatedBy: text('updated_by').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  delivered: integer('delivered').notNull().default(0),
  /** Failed attempts (each retry counts); `lastError` says the latest reason. */
  failures: integer('failures').notNull().default(0),
  lastError: text('last_error'),
  lastFailureAt: ts('last_failure_at'),
  lastDeliveredAt: ts('last_delivered_at'),
});

/**
 * Hook deliveries still to make (the alerts table's triggers queue one per opened or cleared
 * alert of a unit with a hook): a worker beside the dashboard sends them, retrying with backoff,
 * so that nothing that raises an alert (the broker, the ingest) ever waits for a web server.
 */
export const alertDeliveries = pgTable(
  'alert_deliveries',
  {
    id: serial('id').primaryKey(),
    alertId: integer('alert_id')
      .notNull()
      .references(() => alerts.id, { onDelete: 'cascade' }),
    unitId: text('unit_id').notNull(),
    /** opened | cleared */
    event: text('event').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    deliveredAt: ts('delivered_at'),
    /** Given up after the last retry: counted on the hook, kept for the record. */
    abandonedAt: ts('abandoned_at'),
    lastError: text('last_error'),
  },
  (t) => [
    index('alert_deliveries_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.deliveredAt} is null and ${t.abandonedAt} is null`),
  ],
);

export const auditLog = pgTable('audit_log', {
  id: serial('id').primaryKey(),
  at: ts('at').notNull().defaultNow(),
  actor: text('actor').notNull(),
  action: text('action').notNull(),
  target: text('target').notNull(),
  details: jsonb('details'),
});

/**
 * What every roll-up level sums (hourly, daily, per unit and day), defined once: the levels are
 * kept equal by triggers (migrations 0019, 0020), so their columns must be the same. A function,
 * since each table needs builders of its own.
 */
const rollupSums = () => ({
  ratings: integer('ratings').notNull().default(0),
  verySatisfied: integer('very_satisfied').notNull().default(0),
  satisfied: integer('satisfied').notNull().default(0),
  unsatisfied: integer('unsatisfied').notNull().default(0),
  scoreSum: integer('score_sum').notNull().default(0),
  /**
   * Ratings that count for nobody, on the `officer_id = ''` row: attribution failed, or a misuse
   * filter caught them. The columns above hold counted (verified, unfiltered) ratings only.
   */
  unverified: integer('unverified').notNull().default(0),
  filtered: integer('filtered').notNull().default(0),
  visits: integer('visits').notNull().default(0),
  unratedVisits: integer('unrated_visits').notNull().default(0),
  expressions: integer('expressions').notNull().default(0),
  expressionIndexSum: doublePrecision('expression_index_sum').notNull().default(0),
  expressionIndexSqSum: doublePrecision('expression_index_sq_sum').notNull().default(0),
});

/** Ratings per pressed level, keyed `scale:level` (devices differ): the distribution view. */
const levelCounts = () => ({
  levels: jsonb('levels').$type<Record<string, number>>().notNull().default({}),
});

/**
 * Each reason code citizens gave with ratings that rate the unit (placed, no misuse filter caught
 * them: `ratesTheUnit`, as the report always counted them), keyed by code: the monthly report's
 * frequent reasons read roll-ups, never a year of raw ratings. On every level (hour, day, unit
 * day), kept by the same triggers as the sums.
 */
const reasonCounts = () => ({
  reasons: jsonb('reasons').$type<Record<string, number>>().notNull().default({}),
});

/**
 * Hourly roll-ups per unit/counter/officer, kept up to date in the ingest transaction so that
 * reports never scan raw events. `officer_id` is '' for what counts for no officer: ratings
 * unverified or filtered (store/src/judge), visits and expressions that named nobody.
 */
export const hourlyRollups = pgTable(
  'hourly_rollups',
  {
    unitId: text('unit_id').notNull(),
    counterId: text('counter_id').notNull(),
    officerId: text('officer_id').notNull(),
    hour: ts('hour').notNull(),
    ...rollupSums(),
    ...levelCounts(),
    ...reasonCounts(),
  },
  (t) => [
    primaryKey({ columns: [t.unitId, t.counterId, t.officerId, t.hour] }),
    // A unit's hours of a period (ward pages, the city table per unit): the primary key leads with
    // the counter, so without this every report read all of a unit's hours ever stored.
    index('hourly_rollups_unit_hour_idx').on(t.unitId, t.hour),
    // Every unit's hours of a period (the city trend chart).
    index('hourly_rollups_hour_idx').on(t.hour),
  ],
);

/**
 * `hourly_rollups` summed per Vietnam calendar date: a year is 365 rows per counter and officer
 * instead of ~2,600, so reports over whole days read these. Never written by the application: a
 * trigger on `hourly_rollups` (migration 0019, `daily_rollups_apply`) adds every change of an
 * hourly row to its day in the same statement, so the two can never disagree.
 */
export const dailyRollups = pgTable(
  'daily_rollups',
  {
    unitId: text('unit_id').notNull(),
    counterId: text('counter_id').notNull(),
    officerId: text('officer_id').notNull(),
    /** The Vietnam calendar date of the hours summed (`vietnamDate`). */
    day: date('day', { mode: 'string' }).notNull(),
    /**
     * How many hourly rows this day sums: the row is deleted when it falls to 0, so that a day has
     * a row exactly when it has hours (trend buckets list the days with rows).
     */
    hours: integer('hours').notNull().default(0),
    ...rollupSums(),
    ...levelCounts(),
    ...reasonCounts(),
  },
  (t) => [
    primaryKey({ columns: [t.unitId, t.counterId, t.officerId, t.day] }),
    index('daily_rollups_unit_day_idx').on(t.unitId, t.day),
    index('daily_rollups_officer_day_idx').on(t.officerId, t.day),
    index('daily_rollups_day_idx').on(t.day),
  ],
);

/**
 * `daily_rollups` summed per unit (no counter, officer or levels): the city table over a year reads
 * 126 × 365 rows instead of every counter's and officer's days. Written only by a trigger on
 * `daily_rollups` (migration 0020, `unit_daily_rollups_apply`), in the same statement.
 */
export const unitDailyRollups = pgTable(
  'unit_daily_rollups',
  {
    unitId: text('unit_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    /** How many daily rows this sums; the row is deleted when it falls to 0 (as `daily_rollups.hours`). */
    days: integer('days').notNull().default(0),
    ...rollupSums(),
    ...reasonCounts(),
  },
  (t) => [primaryKey({ columns: [t.unitId, t.day] }), index('unit_daily_rollups_day_idx').on(t.day)],
);

/**
 * `unit_daily_rollups` summed per unit and ISO week of Vietnam dates (Monday first, as the week
 * periods and the weekly trend run): a year of the city is 126 × 53 rows instead of 126 × 365, for
 * the city table and the weekly trend. Written only by a trigger on `unit_daily_rollups` (migration
 * 0026, `unit_weekly_rollups_apply`), in the same statement.
 */
export const unitWeeklyRollups = pgTable(
  'unit_weekly_rollups',
  {
    unitId: text('unit_id').notNull(),
    /** The Monday (Vietnam date) the week begins on. */
    week: date('week', { mode: 'string' }).notNull(),
    /** How many unit days this sums; the row is deleted when it falls to 0 (as `unit_daily_rollups.days`). */
    days: integer('days').notNull().default(0),
    ...rollupSums(),
    ...reasonCounts(),
  },
  (t) => [primaryKey({ columns: [t.unitId, t.week] }), index('unit_weekly_rollups_week_idx').on(t.week)],
);

/**
 * `daily_rollups` summed per calendar month of Vietnam dates, per counter and officer with levels
 * and reasons: a ward's officer and counter tables over a year read ~12 rows per counter and
 * officer instead of 365 (the whole months of a period; the days around them from the days).
 * Written only by a trigger on `daily_rollups` (`monthly_rollups_apply`, generated by
 * projections/coarser-rollup.ts like every level above the days) in the same statement.
 */
export const monthlyRollups = pgTable(
  'monthly_rollups',
  {
    unitId: text('unit_id').notNull(),
    counterId: text('counter_id').notNull(),
    officerId: text('officer_id').notNull(),
    /** The first day (Vietnam date) of the month. */
    month: date('month', { mode: 'string' }).notNull(),
    /** How many daily rows this sums; the row is deleted when it falls to 0 (as `daily_rollups.hours`). */
    days: integer('days').notNull().default(0),
    ...rollupSums(),
    ...levelCounts(),
    ...reasonCounts(),
  },
  (t) => [
    primaryKey({ columns: [t.unitId, t.counterId, t.officerId, t.month] }),
    index('monthly_rollups_unit_month_idx').on(t.unitId, t.month),
  ],
);

/** The column of `unit_day_hours` holding the Vietnam hour of the day `hour` (0–23): `h00`…`h23`. */
export function hourCell(hour: number): HourCell {
  return `h${String(hour).padStart(2, '0')}` as HourCell;
}
export type HourCell = `h${'0' | '1'}${number}` | `h2${'0' | '1' | '2' | '3'}`;
const hourCells = () =>
  Object.fromEntries(
    Array.from({ length: 24 }, (_, h) => [hourCell(h), integer(hourCell(h)).notNull().default(0)]),
  ) as Record<HourCell, ReturnType<typeof integer>>;

/**
 * Counted ratings of each unit and Vietnam day per hour of the day (`h00` is 00:00–01:00): the
 * hour × weekday load of a ward or the city over a year reads 365 rows per unit instead of every
 * counter's and officer's hours. A column per hour, not an array: summing 24 columns of a year of
 * the city took 18 ms where 24 array subscripts took 43. Written only by a trigger on
 * `hourly_rollups` (`unit_day_hours_apply`, projections/coarser-rollup.ts since migration 0041) in
 * the same statement; a cell may hold 0.
 */
export const unitDayHours = pgTable(
  'unit_day_hours',
  {
    unitId: text('unit_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    ...hourCells(),
  },
  (t) => [primaryKey({ columns: [t.unitId, t.day] }), index('unit_day_hours_day_idx').on(t.day)],
);

/**
 * `unit_day_hours` summed per unit, calendar month and ISO weekday (Monday 1 … Sunday 7): the
 * hour × weekday load of the city over a year reads 126 × 12 × 7 rows instead of 126 × 365, the
 * days around a period's whole months from `unit_day_hours`. Written only by a trigger on
 * `unit_day_hours` (`unit_month_hours_apply`, projections/coarser-rollup.ts); a cell may hold 0.
 */
export const unitMonthHours = pgTable(
  'unit_month_hours',
  {
    unitId: text('unit_id').notNull(),
    /** The first day (Vietnam date) of the month. */
    month: date('month', { mode: 'string' }).notNull(),
    weekday: integer('weekday').notNull(),
    ...hourCells(),
  },
  (t) => [
    primaryKey({ columns: [t.unitId, t.month, t.weekday] }),
    index('unit_month_hours_month_idx').on(t.month),
  ],
);

/**
 * The Decision 766 per-dossier outcome of each dossier a unit handled, for the unit (`officer_id`
 * '') and for each officer credited with a rating of it: when it was first seen there (its first
 * rating or visit; for an officer, their first credited rating) and whether it failed (a rating
 * that counts was unsatisfied, or a citizen marked a comment naming it as a complaint, whenever).
 * A dossier counts once, in the period holding its first day. Derived from `ratings`, `visits`
 * and `comments` by store/src/dossier-outcomes.ts only; triggers on those tables (migration 0021)
 * list the (unit, dossier) pairs to derive again in `dossier_outcome_dirty`.
 */
export const dossierOutcomes = pgTable(
  'dossier_outcomes',
  {
    unitId: text('unit_id').notNull(),
    officerId: text('officer_id').notNull(),
    dossierId: text('dossier_id').notNull(),
    firstAt: ts('first_at').notNull(),
    /** The Vietnam calendar date of `first_at`. */
    day: date('day', { mode: 'string' }).notNull(),
    ratedUnsatisfied: boolean('rated_unsatisfied').notNull(),
    complained: boolean('complained').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.unitId, t.dossierId, t.officerId] }),
    // The partial days at a period's edges, and overdue dossiers looked up by ID.
    index('dossier_outcomes_first_idx').on(t.unitId, t.officerId, t.firstAt),
    index('dossier_outcomes_first_at_idx').on(t.firstAt),
  ],
);

/**
 * `dossier_outcomes` counted per unit, officer ('' for the unit) and day of first sight, so a
 * year's figure is a sum over ≤ 366 rows. Written only by triggers on `dossier_outcomes`
 * (migration 0021); a row goes when its count falls to 0.
 */
export const dossierDays = pgTable(
  'dossier_days',
  {
    unitId: text('unit_id').notNull(),
    officerId: text('officer_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    dossiers: integer('dossiers').notNull().default(0),
    ratedUnsatisfied: integer('rated_unsatisfied').notNull().default(0),
    complained: integer('complained').notNull().default(0),
    /** Rated unsatisfied or complained about (the two overlap). */
    failed: integer('failed').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.unitId, t.officerId, t.day] }),
    index('dossier_days_officer_day_idx').on(t.officerId, t.day),
    index('dossier_days_day_idx').on(t.day),
  ],
);

/**
 * `dossier_days` summed per ISO week (Monday first) of Vietnam dates: a year of the city table's
 * or a ward's officer table's dossier figures reads 53 rows per unit and officer instead of 365.
 * Written only by a trigger on `dossier_days` (migration 0028, `dossier_weeks_apply`) in the same
 * statement; a row goes when its count falls to 0.
 */
export const dossierWeeks = pgTable(
  'dossier_weeks',
  {
    unitId: text('unit_id').notNull(),
    officerId: text('officer_id').notNull(),
    /** The Monday (Vietnam date) the week begins on. */
    week: date('week', { mode: 'string' }).notNull(),
    dossiers: integer('dossiers').notNull().default(0),
    ratedUnsatisfied: integer('rated_unsatisfied').notNull().default(0),
    complained: integer('complained').notNull().default(0),
    failed: integer('failed').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.unitId, t.officerId, t.week] }),
    index('dossier_weeks_officer_week_idx').on(t.officerId, t.week),
    index('dossier_weeks_week_idx').on(t.week),
  ],
);

/**
 * The (unit, dossier) pairs whose outcomes must be derived again: filled by statement triggers on
 * `ratings`, `visits` and `comments` (migration 0021), emptied by `refreshDossierOutcomes`. The
 * pair ('*', '*') asks for every dossier (after the migration that created the outcomes).
 */
export const dossierOutcomeDirty = pgTable(
  'dossier_outcome_dirty',
  {
    unitId: text('unit_id').notNull(),
    dossierId: text('dossier_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.unitId, t.dossierId] })],
);

/**
 * People who sign in to the dashboard. `role` decides what they see: `city` compares every ward,
 * `ward` sees only its own unit (`unit_id`), `technician` provisions and watches devices, and
 * `officer` sees only their own record (`officer_id`).
 */
export const staffAccounts = pgTable('staff_accounts', {
  username: text('username').primaryKey(),
  displayName: text('display_name').notNull(),
  role: text('role').notNull(),
  unitId: text('unit_id'),
  officerId: text('officer_id'),
  passwordHash: text('password_hash').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  disabledAt: ts('disabled_at'),
});

/**
 * Dashboard sessions and API tokens. Only a SHA-256 of the token is stored, so a copy of the
 * database does not let anyone sign in. `kind` 'link' is a one-time sign-in link.
 */
export const staffSessions = pgTable(
  'staff_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    username: text('username')
      .notNull()
      .references(() => staffAccounts.username, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [index('staff_sessions_user_idx').on(t.username)],
);

/**
 * What a browser session's next page shows once after an action (POST-redirect-GET), such as a
 * new account's one-time sign-in link: kept here, not in one dashboard process's memory, so that a
 * restart or another dashboard process still shows it. Keyed by the session's own token hash and
 * gone with the session; the content is sealed with a key derived from the session's secret,
 * which the database never holds, so a copy of this table hands over no link (staff-handover.ts).
 */
export const staffHandovers = pgTable(
  'staff_handovers',
  {
    sessionHash: text('session_hash')
      .primaryKey()
      .references(() => staffSessions.tokenHash, { onDelete: 'cascade' }),
    /** The account the handover is about (audited when a secret in it is shown). */
    target: text('target').notNull(),
    /** Whether it carries a secret (a sign-in link): showing it is then audited. */
    secret: boolean('secret').notNull(),
    /** base64 of IV, AES-256-GCM tag and ciphertext. */
    sealed: text('sealed').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [index('staff_handovers_expires_idx').on(t.expiresAt)],
);

/**
 * Commands a technician sent to a device (restart, self-test, …) and the device's answer. A
 * broker that has the device connected publishes it; the answer on `cmd/{name}/res` closes it.
 */
export const deviceCommands = pgTable(
  'device_commands',
  {
    cmdId: uuid('cmd_id').primaryKey(),
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id),
    name: text('name').notNull(),
    args: jsonb('args').$type<Record<string, string | number | boolean>>().notNull().default({}),
    requestedBy: text('requested_by').notNull(),
    requestedAt: ts('requested_at').notNull().defaultNow(),
    /** Not sent by then (device away): given up, so a restart never fires hours later. */
    expiresAt: ts('expires_at').notNull(),
    sentAt: ts('sent_at'),
    answeredAt: ts('answered_at'),
    ok: boolean('ok'),
    result: jsonb('result'),
    error: text('error'),
  },
  (t) => [index('device_commands_device_idx').on(t.deviceId, t.requestedAt)],
);

/**
 * Events the database refused although the schema let them through (a constraint nobody foresaw,
 * a bug in the ingest SQL): kept whole with the database's error, so that nothing is lost and the
 * cause can be fixed and the event replayed. Its device is acknowledged only once this row is
 * stored, and stops re-sending it.
 */
export const ingestDeadLetters = pgTable(
  'ingest_dead_letters',
  {
    eventId: uuid('event_id').primaryKey(),
    type: text('type').notNull(),
    unitId: text('unit_id').notNull(),
    counterId: text('counter_id').notNull(),
    deviceId: text('device_id').notNull(),
    topic: text('topic').notNull(),
    /** SQLSTATE, e.g. 22003 numeric_value_out_of_range; null when the error carried none. */
    errorCode: text('error_code'),
    /** The database's short message, never the SQL text. */
    error: text('error').notNull(),
    payload: jsonb('payload').notNull(),
    receivedAt: ts('received_at').notNull().defaultNow(),
  },
  (t) => [index('ingest_dead_letters_device_idx').on(t.deviceId, t.receivedAt)],
);

/**
 * Public keys (Ed25519, PEM) whose signature makes a release bundle acceptable to the centre
 * and installable on boards (sent to them at pairing). Removed keys are kept, for the audit.
 */
export const releaseKeys = pgTable('release_keys', {
  /** `releaseKeyId`: the first 16 hex digits of the SHA-256 of the key's DER form. */
  keyId: text('key_id').primaryKey(),
  publicPem: text('public_pem').notNull(),
  name: text('name').notNull(),
  addedBy: text('added_by').notNull(),
  addedAt: ts('added_at').notNull().defaultNow(),
  removedAt: ts('removed_at'),
});

/** A verified release bundle the centre stores and serves (protocol release.ts). */
export const releases = pgTable('releases', {
  version: text('version').primaryKey(),
  components: jsonb('components').$type<Array<'agent' | 'models'>>().notNull(),
  manifest: jsonb('manifest').notNull(),
  models: jsonb('models').$type<Array<{ name: string; sha256: string }>>().notNull(),
  /** SHA-256 of the whole bundle file: the offer's `sha256` and the download's ETag. */
  sha256: text('sha256').notNull(),
  size: bigint('size', { mode: 'number' }).notNull(),
  keyId: text('key_id').notNull(),
  /** Absolute path of the stored bundle under the centre's data folder. */
  path: text('path').notNull(),
  publishedBy: text('published_by').notNull(),
  publishedAt: ts('published_at').notNull().defaultNow(),
});

/**
 * A release targeted at a unit's counters or the city's (`unit_id` null): the canary devices
 * first, then a percentage, then all. `active` offers to new targets; `paused` offers no new
 * device (also an automatic halt, with `halt_reason`); `withdrawn` clears every offer; `done`
 * once every targeted board at stage `all` reports healthy.
 */
export const rollouts = pgTable(
  'rollouts',
  {
    id: uuid('id').primaryKey(),
    version: text('version')
      .notNull()
      .references(() => releases.version),
    unitId: text('unit_id'),
    canary: jsonb('canary').$type<string[]>().notNull(),
    stage: text('stage').$type<'canary' | 'percent' | 'all'>().notNull(),
    percent: smallint('percent').notNull().default(0),
    state: text('state').$type<'active' | 'paused' | 'withdrawn' | 'done'>().notNull(),
    haltReason: text('halt_reason'),
    healthDeadlineS: integer('health_deadline_s').notNull().default(300),
    createdBy: text('created_by').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedBy: text('updated_by').notNull(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('rollouts_state_idx').on(t.state)],
);

/**
 * The devices a rollout has offered its release to, and at which stage: what "offered" means for
 * the broker's retained offer, the download route and the progress per stage. Rows are only
 * added (a pause adds none); a withdrawal ends them all at once through the rollout's state.
 */
export const rolloutDevices = pgTable(
  'rollout_devices',
  {
    rolloutId: uuid('rollout_id')
      .notNull()
      .references(() => rollouts.id),
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id),
    stage: text('stage').$type<'canary' | 'percent' | 'all'>().notNull(),
    offeredAt: ts('offered_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.rolloutId, t.deviceId] }),
    index('rollout_devices_device_idx').on(t.deviceId),
  ],
);

/** The last `update/status` of each device (retained on the board too): drives rollout progress. */
export const deviceUpdateStatus = pgTable(
  'device_update_status',
  {
    deviceId: text('device_id')
      .primaryKey()
      .references(() => devices.id),
    rolloutId: uuid('rollout_id'),
    version: text('version').notNull(),
    running: text('running').notNull(),
    state: text('state').notNull(),
    progress: real('progress'),
    reason: text('reason'),
    /** The device's clock (ms), as reported. */
    ts: bigint('ts', { mode: 'number' }).notNull(),
    receivedAt: ts('received_at').notNull().defaultNow(),
  },
  (t) => [index('device_update_status_rollout_idx').on(t.rolloutId)],
);
