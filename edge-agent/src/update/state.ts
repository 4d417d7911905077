import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ReleaseVersion, UpdateState } from '@onestop/protocol';
import { z } from 'zod';
import { type InstallLayout, syncDir } from './layout.js';

/**
 * The launcher's durable state. `pending` is written by the agent BEFORE it switches `current`
 * (so a release never runs unguarded) and cleared by the launcher when that release marks itself
 * healthy or is rolled back. `last` is the outcome the running agent reports on `update/status`.
 */
export const LauncherState = z.object({
  pending: z
    .object({
      version: ReleaseVersion,
      /** What ran before: where a rollback goes. */
      previous: ReleaseVersion,
      rolloutId: z.string().nullable(),
      /** Epoch ms after which, still not healthy, the release is undone. */
      deadline: z.number(),
      /** Starts of the pending release so far (the launcher counts them). */
      attempts: z.int().min(0),
    })
    .nullable(),
  last: z
    .object({
      version: ReleaseVersion,
      rolloutId: z.string().nullable(),
      state: UpdateState,
      reason: z.string().nullable(),
      at: z.number(),
    })
    .nullable(),
});
export type LauncherState = z.infer<typeof LauncherState>;
export type PendingUpdate = NonNullable<LauncherState['pending']>;
export type UpdateOutcome = NonNullable<LauncherState['last']>;

const EMPTY: LauncherState = { pending: null, last: null };

/** The state, or an empty one when absent or unreadable (a damaged file must not stop the board). */
export function readLauncherState(layout: InstallLayout): LauncherState {
  let text: string;
  try {
    text = readFileSync(layout.state, 'utf8');
  } catch {
    return EMPTY;
  }
  try {
    const r = LauncherState.safeParse(JSON.parse(text));
    return r.success ? r.data : EMPTY;
  } catch {
    return EMPTY;
  }
}

export function writeLauncherState(layout: InstallLayout, state: LauncherState): void {
  writeDurably(layout.state, `${JSON.stringify(LauncherState.parse(state))}\n`);
}

/** The running release's health mark: which version, and when. */
export const HealthMark = z.object({ version: ReleaseVersion, at: z.number() });
export type HealthMark = z.infer<typeof HealthMark>;

export function readHealthMark(layout: InstallLayout): HealthMark | null {
  try {
    const r = HealthMark.safeParse(JSON.parse(readFileSync(layout.healthy, 'utf8')));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

export function writeHealthMark(layout: InstallLayout, mark: HealthMark): void {
  writeDurably(layout.healthy, `${JSON.stringify(mark)}\n`);
}

/** Written beside, synced, renamed, folder synced: a power cut leaves the old file or the new. */
export function writeDurably(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'w', 0o644);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  syncDir(dirname(path));
}
