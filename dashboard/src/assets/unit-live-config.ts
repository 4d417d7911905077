/**
 * What the unit page hands its live-update module (`client/unit-live.ts`), as JSON in
 * `<script type="application/json" id="unit-live-config">`: data, never code built from strings.
 */
export const UNIT_LIVE_CONFIG_ID = 'unit-live-config';

export interface UnitLiveConfig {
  /** The server-sent stream of new ratings, as rows of the live table. */
  liveUrl: string;
  /** The officer table of the same period and language, re-fetched after new ratings. */
  officersUrl: string;
}
