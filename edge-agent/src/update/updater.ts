import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { decodePayload, type UpdateOffer, type UpdateState, type UpdateStatus } from '@onestop/protocol';
import semver from 'semver';
import type { AgentContext, Extension } from '../agent/context.js';
import { DownloadError, downloadWithResume } from './download.js';
import { installRelease } from './install.js';
import { currentVersion, type InstallLayout, switchCurrent } from './layout.js';
import { type LauncherState, readLauncherState, writeHealthMark, writeLauncherState } from './state.js';

export interface UpdaterOptions {
  /** Null when the agent does not run under the launcher: every offer is then answered `failed`. */
  layout: InstallLayout | null;
  /** The release running now (`ONESTOP_RELEASE`, or the agent's own version). */
  running: string;
  /** Ends this process so that the launcher starts `current`: a graceful stop (SIGTERM) by default. */
  exit?: (reason: string) => void;
  /** Waits before a failed download is tried again, the last one repeating. */
  retryMs?: readonly number[];
  /** How often the camera is looked at while waiting to mark the release healthy. */
  healthPollMs?: number;
}

/** Failures that the same offer would meet again: not retried until the centre offers another. */
class Final extends Error {}
/** The offer was withdrawn or replaced while being installed: dropped without a status. */
class Abandoned extends Error {}

/**
 * The board's side of fleet updates (issue 14): hears the retained `update` offer, fetches the
 * bundle from the centre (resumable), verifies it with the keys it was paired with, unpacks it
 * into `releases/<version>/`, records it as pending in the launcher's state, switches `current`
 * and stops so that the launcher runs it. Every step goes out on `update/status` (retained). In
 * the new release the same extension marks it healthy once connected, its birth sent and its
 * camera (if any) running; the launcher, not this code, undoes a release that never does.
 */
export class Updater implements Extension {
  readonly name = 'update';
  private offs: Array<() => void> = [];
  private latest: UpdateOffer | null = null;
  private busy = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private retries = 0;
  /** `rolloutId|sha256` of offers that failed for good in this process. */
  private readonly refused = new Set<string>();
  private lastProgress = -1;
  /** Aborts the download of the offer being installed: withdrawn, or the agent stopping. */
  private inflight: AbortController | null = null;

  constructor(
    private readonly ctx: AgentContext,
    private readonly o: UpdaterOptions,
  ) {}

  start(): void {
    this.offs = [
      this.ctx.bus.on('mqtt.message', (m) => {
        if (m.channel !== 'update') return;
        // The retained offer cleared (withdrawn or revoked): not a malformed offer.
        if (m.payload.length === 0) {
          this.withdraw();
          return;
        }
        const r = decodePayload('update', m.payload);
        if (!r.ok) {
          this.ctx.bus.emit('rejected', { source: 'mqtt update', reason: r.reason });
          return;
        }
        this.latest = r.value;
        void this.consider();
      }),
      this.ctx.bus.on('birth.sent', () => void this.afterBirth()),
    ];
  }

  stop(): void {
    this.stopped = true;
    for (const off of this.offs) off();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.inflight?.abort();
  }

  /** Nothing is offered any more: no retry, the download under way dropped, nothing installed. */
  private withdraw(): void {
    if (!this.latest) return;
    this.ctx.logger.info({ version: this.latest.version }, 'update offer withdrawn');
    this.latest = null;
    this.retries = 0;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.inflight?.abort();
    // Under way, the install's own end prunes, once the download has let go of its file.
    if (!this.busy) void this.pruneDownloads();
  }

  /** Bundles and `.part` files of offers no longer current only take the board's space. */
  private async pruneDownloads(): Promise<void> {
    const { layout } = this.o;
    if (!layout) return;
    const keep = this.latest ? `${this.latest.version}.tar.gz` : null;
    const names = await readdir(layout.downloads).catch(() => [] as string[]);
    for (const name of names)
      if (name !== keep && name !== `${keep}.part`)
        await rm(join(layout.downloads, name), { force: true }).catch(() => {});
  }

  /** After every birth: the outcome the launcher recorded, and this release's health if on trial. */
  private async afterBirth(): Promise<void> {
    const { layout, running } = this.o;
    if (!layout) return;
    const state = readLauncherState(layout);
    const p = state.pending;
    if (p && p.version === running) {
      this.step('on-trial', running);
      await this.waitForPerception();
      if (this.stopped) return;
      writeHealthMark(layout, { version: running, at: Date.now() });
      this.ctx.logger.info({ version: running }, 'release marked healthy');
      // Healthy is the launcher's word, once the release has stayed up its stable window.
      const settled = await this.untilSettled(running);
      if (settled?.state === 'healthy') await this.report(p.rolloutId, running, 'healthy', null);
      return;
    }
    // Not over an update under way: its own steps are newer news.
    if (state.last && !this.busy)
      await this.report(state.last.rolloutId, state.last.version, state.last.state, state.last.reason);
  }

  /** The launcher's verdict on this release's trial, or null if stopped before it came. */
  private async untilSettled(version: string): Promise<LauncherState['last']> {
    const layout = this.o.layout!;
    while (!this.stopped) {
      const s = readLauncherState(layout);
      if (s.pending?.version !== version) return s.last?.version === version ? s.last : null;
      await new Promise((r) => setTimeout(r, this.o.healthPollMs ?? 1_000).unref());
    }
    return null;
  }

  /** Healthy means perceiving too when the device has a camera: a release whose models fail is not. */
  private async waitForPerception(): Promise<void> {
    if (!this.ctx.config.camera) return;
    while (!this.stopped && this.ctx.camera().state !== 'running')
      await new Promise((r) => setTimeout(r, this.o.healthPollMs ?? 1_000).unref());
  }

  private async consider(): Promise<void> {
    const offer = this.latest;
    if (!offer || this.busy || this.stopped) return;
    const key = `${offer.rolloutId}|${offer.sha256}`;
    if (offer.version === this.o.running || this.refused.has(key)) return;
    const { layout } = this.o;
    if (layout) {
      // Not again what the launcher already undid: the centre must offer something else. An
      // update a power cut interrupted (`failed` by the launcher) is simply taken up again.
      const state = readLauncherState(layout);
      // A release on trial is not yet a way back: installing over it would make the unproven
      // release `previous` and prune the last healthy one. Looked at again once it is settled.
      if (state.pending) {
        this.deferWhilePending();
        return;
      }
      const last = state.last;
      if (
        last?.state === 'rolled-back' &&
        last.version === offer.version &&
        last.rolloutId === offer.rolloutId
      )
        return;
    }
    this.busy = true;
    try {
      await this.install(offer);
    } catch (e) {
      if (e instanceof Abandoned || this.latest !== offer) {
        // Withdrawn or superseded meanwhile: not a failure of this offer, nothing to retry.
        await this.pruneDownloads();
        this.ctx.logger.info({ version: offer.version }, 'update abandoned: the offer changed');
        return;
      }
      const reason = (e as Error).message.split('\n')[0]!.slice(0, 300);
      this.ctx.logger.warn({ version: offer.version, reason }, 'update failed');
      await this.report(offer.rolloutId, offer.version, 'failed', reason);
      if (e instanceof Final) this.refused.add(key);
      else this.retryLater();
    } finally {
      this.busy = false;
      this.inflight = null;
      // A newer offer arrived meanwhile.
      if (this.latest && this.latest !== offer) void this.consider();
    }
  }

  private deferWhilePending(): void {
    if (this.retryTimer) return;
    this.ctx.logger.info('update deferred: a release is on trial');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.consider();
    }, this.o.healthPollMs ?? 5_000);
    this.retryTimer.unref();
  }

  private retryLater(): void {
    const waits = this.o.retryMs ?? [60_000, 300_000, 900_000];
    const wait = waits[Math.min(this.retries++, waits.length - 1)] ?? 900_000;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.consider();
    }, wait);
    this.retryTimer.unref();
  }

  private async install(offer: UpdateOffer): Promise<void> {
    const { layout, running } = this.o;
    const updates = this.ctx.config.updates;
    // An older release may carry fixed holes or an older data format: going back is the
    // launcher's job (rollback), never an offer's.
    if (semver.valid(running) && semver.lt(offer.version, running)) throw new Final('downgrade refused');
    if (!layout) throw new Final('this board does not run under the update launcher');
    if (!updates) throw new Final('the device file has no updates section (centre URL, release keys)');
    if (updates.releaseKeys.length === 0)
      throw new Final('no release key in the device file (updates.releaseKeys): pair again or add one');
    const say = (state: UpdateState, progress: number | null = null) =>
      this.report(offer.rolloutId, offer.version, state, null, progress);

    await say('downloading', 0);
    this.step('downloading', offer.version);
    await mkdir(layout.downloads, { recursive: true });
    await this.pruneDownloads();
    const bundle = join(layout.downloads, `${offer.version}.tar.gz`);
    this.lastProgress = -1;
    const inflight = new AbortController();
    this.inflight = inflight;
    const url = new URL(offer.url, updates.centreUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new Final(`the offer's URL is not http(s): ${url.protocol}`);
    // The device's password goes only to the centre it was paired with, never to a mirror the
    // offer names: a mirror serves bytes whose SHA-256 and signature are checked anyway.
    const toCentre = url.origin === new URL(updates.centreUrl).origin;
    try {
      await downloadWithResume({
        url: url.toString(),
        ...(toCentre
          ? { authorization: basicAuth(this.ctx.config.mqtt.username, this.ctx.config.mqtt.password) }
          : {}),
        size: offer.size,
        sha256: offer.sha256,
        dest: bundle,
        signal: inflight.signal,
        onProgress: (f) => {
          // A status per tenth: the console moves, the broker is not flooded.
          const step = Math.floor(f * 10);
          if (step === this.lastProgress) return;
          this.lastProgress = step;
          void say('downloading', f).catch(() => {});
        },
      });
    } catch (e) {
      if (e instanceof DownloadError) throw e;
      throw new DownloadError(`download failed: ${(e as Error).message}`);
    }
    this.retries = 0;
    // Withdrawn (or replaced) while the last bytes came: a bundle nobody offers is not installed.
    if (this.latest !== offer) throw new Abandoned();

    await say('verifying');
    this.step('verifying', offer.version);
    const installed = await installRelease({
      layout,
      bundle,
      version: offer.version,
      publicKeys: updates.releaseKeys,
      running: currentVersion(layout),
    });
    if (!installed.ok) {
      // A bundle that does not verify is not fetched again for this offer.
      await rm(bundle, { force: true });
      throw new Final(installed.reason);
    }

    if (this.latest !== offer) throw new Abandoned();
    await say('installing');
    this.step('unpacked', offer.version);
    const state = readLauncherState(layout);
    // Only a committed release is a way back (consider() defers while one is on trial; this
    // guards a trial that began meanwhile): never the unproven one.
    const previous = state.pending?.previous ?? currentVersion(layout) ?? running;
    // Pending first, then the switch: the new release never runs without its deadline. An old
    // health mark (the same version, healthy once before a rollback) must not vouch for it.
    await rm(layout.healthy, { force: true });
    writeLauncherState(layout, {
      ...state,
      pending: {
        version: offer.version,
        previous,
        rolloutId: offer.rolloutId,
        deadline: Date.now() + offer.healthDeadlineS * 1000,
        attempts: 0,
      },
    });
    this.step('pending', offer.version);
    switchCurrent(layout, offer.version);
    this.step('switched', offer.version);
    await rm(bundle, { force: true });
    await pruneReleases(layout, [offer.version, previous]);
    await say('restarting');
    this.ctx.logger.info({ version: offer.version, previous }, 'update installed; restarting into it');
    (this.o.exit ?? (() => process.kill(process.pid, 'SIGTERM')))(`update to ${offer.version}`);
  }

  /** One log line per step: what a technician reads in the journal after a power cut. */
  private step(step: string, version: string): void {
    this.ctx.logger.info({ update: step, version }, `update step: ${step}`);
  }

  private async report(
    rolloutId: string | null,
    version: string,
    state: UpdateState,
    reason: string | null,
    progress: number | null = null,
  ): Promise<void> {
    const { ctx } = this;
    const status: UpdateStatus = {
      v: 1,
      deviceId: ctx.address.deviceId,
      bootId: ctx.outbox.bootId,
      ts: ctx.clock.now(),
      rolloutId,
      version,
      running: this.o.running,
      state,
      progress: state === 'downloading' ? Math.min(1, Math.max(0, progress ?? 0)) : null,
      reason: reason === null ? null : reason.slice(0, 300),
    };
    try {
      await ctx.publish('update/status', status);
    } catch (e) {
      // Retained and re-sent after every birth: a status lost to a dropped link comes back.
      ctx.logger.debug({ err: (e as Error).message, state }, 'update status not sent');
    }
  }
}

/** HTTP Basic with the device's MQTT credentials: the centre knows them already (contract). */
export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** Keeps the releases still needed (the new one, the way back); older ones only take space. */
async function pruneReleases(layout: InstallLayout, keep: readonly string[]): Promise<void> {
  const names = await readdir(layout.releases).catch(() => [] as string[]);
  for (const name of names)
    if (!keep.includes(name)) await rm(join(layout.releases, name), { recursive: true, force: true });
}
