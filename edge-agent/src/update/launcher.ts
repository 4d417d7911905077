import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  currentVersion,
  type InstallLayout,
  LAUNCH_ENV,
  RELEASE_ENTRY,
  RELEASE_MODELS_DIR,
  switchCurrent,
} from './layout.js';
import {
  type LauncherState,
  type PendingUpdate,
  readHealthMark,
  readLauncherState,
  writeLauncherState,
} from './state.js';

export interface LauncherOptions {
  layout: InstallLayout;
  /** Arguments given to every release's entry (`--config /etc/onestop/agent.yaml`). */
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** How often the health mark and the deadline are looked at. */
  pollMs?: number;
  /** Starts of a pending release (the launcher itself killed meanwhile) before it is undone. */
  maxAttempts?: number;
  /** How long a release asked to stop (deadline passed) has before it is killed. */
  stopGraceMs?: number;
  /**
   * How long a release must stay up after marking itself healthy before it is kept (at most its
   * trial time): one that crashes seconds after the mark must not become the way back.
   */
  stableMs?: number;
  log?: (line: string) => void;
  now?: () => number;
}

export interface Launcher {
  /** Resolves with the code the launcher should exit with (the last release's own code). */
  readonly done: Promise<number>;
  /** SIGTERM to the release, then resolve `done` once it is gone: a systemd stop. */
  stop(signal?: NodeJS.Signals): void;
}

/**
 * The small program that stays outside releases (issue 14): it runs `current`, and brings the
 * previous release back by itself when a new one crashes or does not mark itself healthy before
 * its deadline. It never loads a release's code, so a broken release cannot break the way back.
 *
 * Every decision is taken from the durable state (state.ts) and `current`, so a launcher killed at
 * any moment (power cut, kill -9) takes the same decision when systemd starts it again: a pending
 * release past its deadline or started `maxAttempts` times is undone before it runs again.
 */
export function startLauncher(o: LauncherOptions): Launcher {
  const { layout } = o;
  const pollMs = o.pollMs ?? 1_000;
  const maxAttempts = o.maxAttempts ?? 3;
  const grace = o.stopGraceMs ?? 10_000;
  const stableMs = o.stableMs ?? 60_000;
  const log = o.log ?? ((line) => process.stderr.write(`onestop-launcher: ${line}\n`));
  const now = o.now ?? Date.now;
  let child: ChildProcess | null = null;
  let stopping = false;

  /** Why a pending release is held when there is nothing to go back to (no rollback possible). */
  const NO_WAY_BACK = 'no release to go back to';
  const stuck = (s: LauncherState): boolean =>
    s.pending !== null &&
    s.last?.state === 'failed' &&
    s.last.version === s.pending.version &&
    s.last.reason?.startsWith(NO_WAY_BACK) === true;

  /** False when releases/<previous> is gone: the broken release must not be run again. */
  const rollBack = (p: PendingUpdate, reason: string): boolean => {
    if (!existsSync(layout.release(p.previous))) {
      // Pending stays set so that no later launcher takes the broken release for a healthy one.
      writeLauncherState(layout, {
        pending: p,
        last: {
          version: p.version,
          rolloutId: p.rolloutId,
          state: 'failed',
          reason: `${NO_WAY_BACK} (${p.previous} is missing): ${reason}`.slice(0, 300),
          at: now(),
        },
      });
      log(`cannot roll back ${p.version}: ${p.previous} is missing; not starting it again`);
      return false;
    }
    // The switch first: a crash before the state is written leaves `current` on the previous
    // release with `pending` still set, which reconcile() then closes; the other order could
    // leave the broken release running unguarded.
    switchCurrent(layout, p.previous);
    const next: LauncherState = {
      pending: null,
      last: { version: p.version, rolloutId: p.rolloutId, state: 'rolled-back', reason, at: now() },
    };
    writeLauncherState(layout, next);
    log(`rolled back ${p.version} → ${p.previous}: ${reason}`);
    return true;
  };

  /** Settles what a previous launcher (or agent) left half-done, before anything runs. */
  const reconcile = (): boolean => {
    const state = readLauncherState(layout);
    const p = state.pending;
    if (!p) return true;
    if (stuck(state)) return false;
    const running = currentVersion(layout);
    if (running !== p.version) {
      // Killed between writing `pending` and switching (or half-way through a rollback).
      writeLauncherState(layout, {
        pending: null,
        last: {
          version: p.version,
          rolloutId: p.rolloutId,
          state: 'failed',
          reason: `the update was interrupted before it ran; still on ${running ?? 'nothing'}`,
          at: now(),
        },
      });
      return true;
    }
    // A mark alone (the launcher died meanwhile) does not prove the release stayed up: judged
    // like any other start, by its deadline and its number of starts.
    if (now() > p.deadline)
      return rollBack(p, 'did not report healthy before its deadline (launcher restarted meanwhile)');
    else if (p.attempts >= maxAttempts)
      return rollBack(p, `started ${p.attempts} times without reporting healthy`);
    return true;
  };

  const healthySince = (version: string, since: number): boolean => {
    const mark = readHealthMark(layout);
    return mark !== null && mark.version === version && mark.at >= since;
  };

  const commitHealthy = (p: PendingUpdate): void => {
    writeLauncherState(layout, {
      pending: null,
      last: { version: p.version, rolloutId: p.rolloutId, state: 'healthy', reason: null, at: now() },
    });
    log(`${p.version} is healthy; ${p.previous} kept as the way back`);
  };

  /** Runs `current` once; resolves with its exit code, or null when it was not there to run. */
  const runOnce = async (): Promise<{ code: number; version: string } | null> => {
    if (!reconcile()) {
      log('nothing safe to run: the release on trial failed and there is no release to go back to');
      return null;
    }
    let dir: string;
    try {
      dir = realpathSync(layout.current);
    } catch {
      log(`nothing to run: ${layout.current} is missing`);
      return null;
    }
    const version = basename(dir);
    let state = readLauncherState(layout);
    const guarded = state.pending?.version === version ? state.pending : null;
    if (guarded) {
      state = { ...state, pending: { ...guarded, attempts: guarded.attempts + 1 } };
      writeLauncherState(layout, state);
    }
    const startedAt = now();
    log(
      `starting ${version}${guarded ? ` (on trial until ${new Date(guarded.deadline).toISOString()})` : ''}`,
    );
    const c = spawn(process.execPath, [join(dir, RELEASE_ENTRY), ...o.args], {
      stdio: 'inherit',
      env: {
        ...(o.env ?? process.env),
        [LAUNCH_ENV.root]: layout.root,
        [LAUNCH_ENV.release]: version,
        // A release that ships models runs them (perception/backend.ts reads this).
        ...(existsSync(join(dir, RELEASE_MODELS_DIR))
          ? { ONESTOP_MODEL_DIR: join(dir, RELEASE_MODELS_DIR) }
          : {}),
      },
    });
    child = c;
    const exited = new Promise<number>((resolve) => {
      c.on('error', (e) => {
        log(`cannot start ${version}: ${e.message}`);
        resolve(127);
      });
      c.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + signalNumber(signal) : 1)));
    });
    let deadlinePassed = false;
    /** When this start's health mark was first seen: the stable window runs from there. */
    let healthyAt: number | null = null;
    const timer = guarded
      ? setInterval(() => {
          const s = readLauncherState(layout);
          const p = s.pending;
          if (!p || p.version !== version) return;
          if (healthySince(version, startedAt)) {
            healthyAt ??= now();
            if (now() >= healthyAt + Math.min(stableMs, p.deadline - startedAt)) commitHealthy(p);
          } else if (now() > p.deadline && !deadlinePassed) {
            deadlinePassed = true;
            log(`${version} did not report healthy in time: stopping it`);
            c.kill('SIGTERM');
            setTimeout(() => c.kill('SIGKILL'), grace).unref();
          }
        }, pollMs)
      : null;
    const code = await exited;
    if (timer) clearInterval(timer);
    child = null;
    const after = readLauncherState(layout);
    const p = after.pending;
    if (p && p.version === version) {
      if (!stopping)
        rollBack(
          p,
          deadlinePassed
            ? `did not report healthy within ${Math.round((p.deadline - startedAt) / 1000)} s`
            : healthyAt !== null || healthySince(version, startedAt)
              ? `exited with code ${code} before it had stayed healthy long enough`
              : `exited with code ${code} before reporting healthy`,
        );
    }
    return { code, version };
  };

  const done = (async (): Promise<number> => {
    for (;;) {
      const r = await runOnce();
      if (!r) return 1;
      if (stopping) return r.code;
      const s = readLauncherState(layout);
      const cur = currentVersion(layout);
      // The release switched `current` (an update) or the launcher switched it back (a rollback):
      // run what is there now. Otherwise its exit is the launcher's: systemd restarts both.
      if (cur !== r.version || s.pending) continue;
      return r.code;
    }
  })();

  return {
    done,
    stop(signal: NodeJS.Signals = 'SIGTERM') {
      stopping = true;
      child?.kill(signal);
    },
  };
}

function signalNumber(signal: NodeJS.Signals): number {
  return ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal] ?? 0;
}
