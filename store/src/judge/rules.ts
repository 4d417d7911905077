import {
  clockMinutes,
  DEFAULT_UNIT_SETTINGS,
  parseUnitSettings,
  RATING_AFTER_VISIT_MS,
  type UnitSettings,
  VISIT_MAX_MS,
  VISIT_REACH_MS,
  WEEKDAYS,
} from '@onestop/evaluation';
import { type SQL, sql } from 'drizzle-orm';
import { inVietnamSql } from '../projections/vietnam-time-sql.js';

/**
 * A unit's settings as the judging SQL reads them: `hours[isodow - 1]` is `[open, close)` in
 * seconds after Vietnam midnight (null: closed), windows in ms.
 */
export interface UnitRules {
  unit_id: string;
  hours: Array<[number, number] | null>;
  rapid_ms: number;
  burst_max: number;
  burst_ms: number;
}

export function unitRules(unitId: string, s: UnitSettings): UnitRules {
  return {
    unit_id: unitId,
    hours: WEEKDAYS.map((d) => {
      const h = s.openingHours[d];
      return h ? [clockMinutes(h.open) * 60, clockMinutes(h.close) * 60] : null;
    }),
    rapid_ms: s.rapidRepeat.windowSeconds * 1000,
    burst_max: s.burst.maxPresses,
    burst_ms: s.burst.windowMinutes * 60_000,
  };
}

/**
 * A stored document that no longer validates (edited by hand in SQL) must not stop ingest: the
 * defaults judge its unit's ratings, and `getUnitSettings` reports the error to whoever reads it.
 */
export function storedRules(unitId: string, stored: unknown): UnitRules {
  let settings = DEFAULT_UNIT_SETTINGS;
  try {
    settings = parseUnitSettings(stored);
  } catch {}
  return unitRules(unitId, settings);
}

/**
 * How far after a press its existence can change another press's verdict (the longer window;
 * for a press naming a visit, also the repeat_in_visit look-back), for a `targets` row `t`.
 */
export const reachSql = sql.raw(`(greatest(s.rapid_ms, s.burst_ms,
  case when t.visit_id is not null then ${VISIT_REACH_MS} else 0 end) * interval '1 millisecond')`);

/** The CTE `rules` from a JSON array of `UnitRules`. */
export function rulesCte(rules: readonly UnitRules[]): SQL {
  return sql`rules as (
  select * from jsonb_to_recordset(${JSON.stringify(rules)}::jsonb)
    as s(unit_id text, hours jsonb, rapid_ms bigint, burst_max int, burst_ms bigint)
)`;
}

const ms = (column: string) => sql.raw(`(${column} * interval '1 millisecond')`);

/**
 * Whether the ratings row `p` belongs to a visit the centre stored (evaluation judgement.ts): its
 * visit, on its device, covers its placed time. One primary-key probe of `visits`.
 */
export const inVisitSql = (p: string) =>
  sql.raw(`exists (
    select 1 from visits v
    where v.id = ${p}.visit_id and v.device_id = ${p}.device_id and v.started_at <= ${p}.at
      and ${p}.at <= least(coalesce(v.ended_at, 'infinity'), v.started_at + ${VISIT_MAX_MS} * interval '1 millisecond')
        + ${RATING_AFTER_VISIT_MS} * interval '1 millisecond'
  )`);

/**
 * THE attribution ("was this officer signed in at this counter at that moment?") of a row `t`
 * with columns `unit_id, counter_id, device_id, officer_id, at` (placed time): joins that end the
 * FROM clause of a SELECT, exposing `cur_session` (the device's latest session begun at or before
 * `t.at`: `officer_id`, `started_at`, `covers`) and `attr.reason` (null: verified). Ratings
 * (judgementSql) and camera summaries (projections/expressions.ts) are attributed by it alike;
 * see @onestop/evaluation judgement.ts for the rules in words (the CASE order is the precedence).
 *
 * Presence: a device's intervals of one kind never overlap and none is empty (presence.ts), so
 * the interval covering an instant, if any, is the latest one begun at or before it: one
 * backward index probe (`presence_device_started_idx`). A sign-in elsewhere is one range probe
 * on `presence_officer_started_idx`.
 */
export const attributionSql = sql`left join officers o on o.id = t.officer_id
  left join lateral (
    select i.officer_id, i.started_at, i.ended_at is null or i.ended_at > t.at as covers
    from presence_intervals i
    where i.device_id = t.device_id and i.kind = 'session' and i.started_at <= t.at
    order by i.started_at desc limit 1
  ) cur_session on true
  cross join lateral (select case
      when t.officer_id is null then 'no_officer'
      when o.id is null then 'unknown_officer'
      when o.unit_id <> t.unit_id or o.retired_at <= t.at then 'not_on_roster'
      when cur_session.covers and cur_session.officer_id = t.officer_id then case
        when exists (
          select 1 from presence_intervals e
          where e.officer_id = t.officer_id and e.kind = 'session' and e.unit_id = t.unit_id
            and e.counter_id <> t.counter_id
            and e.started_at >= cur_session.started_at and e.started_at <= t.at
        ) then 'signed_in_elsewhere' end
      when cur_session.officer_id = t.officer_id then 'after_sign_out'
      else 'not_signed_in'
    end as reason) attr`;

/**
 * THE judgement, one SELECT of `event_id, attribution, attribution_reason, filter_reason` for
 * every row of the relation named `targets` (ratings columns; placed `at` only) whose unit has
 * `rules`. Everything it consults is stored rows (`ratings`, `presence_intervals`, `officers`),
 * never the order in which they arrived; see @onestop/evaluation judgement.ts for the rules in
 * words and the precedence of reasons (the CASE order below). Attribution: attributionSql.
 * Other presses: index range probes on `ratings_device_at_idx`, the burst count bounded by its
 * limit.
 */
export const judgementSql = sql`select t.event_id,
    case when attr.reason is null then 'verified' else 'unverified' end as attribution,
    attr.reason as attribution_reason,
    filt.reason as filter_reason
  from targets t
  join rules s on s.unit_id = t.unit_id
  left join lateral (
    select i.ended_at is null or i.ended_at > t.at as covers
    from presence_intervals i
    where i.device_id = t.device_id and i.kind = 'seat' and i.started_at <= t.at
    order by i.started_at desc limit 1
  ) cur_seat on true
  ${attributionSql}
  cross join lateral (select ${inVietnamSql(sql`t.at`)} as local, ${inVisitSql('t')} as in_visit) wall
  cross join lateral (select s.hours -> (extract(isodow from wall.local)::int - 1) as day) today
  cross join lateral (select case
      when jsonb_typeof(today.day) <> 'array'
        or extract(epoch from wall.local::time) < (today.day ->> 0)::int
        or extract(epoch from wall.local::time) >= (today.day ->> 1)::int then 'outside_hours'
      when not wall.in_visit and not coalesce(cur_session.covers, false) and not coalesce(cur_seat.covers, false)
        then 'nobody_at_counter'
      when exists (
        select 1 from ratings p
        where p.device_id = t.device_id and p.at <= t.at and p.at > t.at - ${ms('s.rapid_ms')}
          and (p.at, p.event_id) < (t.at, t.event_id)
      ) then 'rapid_repeat'
      when t.visit_id is not null and exists (
        select 1 from ratings p
        where p.device_id = t.device_id and p.visit_id = t.visit_id
          and p.at <= t.at and p.at > t.at - ${ms(String(VISIT_REACH_MS))}
          and (p.at, p.event_id) < (t.at, t.event_id)
      ) then 'repeat_in_visit'
      when not wall.in_visit and s.burst_ms > 0 and (
        select count(*) from (
          select 1 from ratings p
          where p.device_id = t.device_id and not ${inVisitSql('p')}
            and p.at <= t.at and p.at > t.at - ${ms('s.burst_ms')}
          limit s.burst_max + 1
        ) as window_presses
      ) > s.burst_max then 'burst_without_visit'
    end as reason) filt`;
