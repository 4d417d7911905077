import type { AgentConfig } from '@onestop/firmware-config';
import { backoffDelay, type LinkStatus, type PayloadOf } from '@onestop/protocol';
import pino, { type Logger } from 'pino';
import { type Clock, systemClock } from '../clock.js';
import type { CounterInput, CounterState, Screen } from '../counter/types.js';
import { createHidInputs } from '../devices/create-inputs.js';
import type { CounterInputs, HidStatus } from '../devices/inputs.js';
import type { OutboxStats } from '../outbox/outbox.js';
import { AgentBus } from './bus.js';
import { cameraPerception } from './camera.js';
import type { CameraStatus } from './context.js';
import { type PerceptionLike, VisitHistory } from './extensions/perception-bridge.js';
import type { PublisherOptions } from './extensions/publisher.js';
import { Runtime, type TransportFactory } from './runtime.js';

export type PerceptionFactory = (
  resolveVisitId: (startedAt: number, endedAt: number) => string | null,
) => PerceptionLike;

export interface StartAgentOptions {
  /** Input devices; default: the real USB devices named in the config (node-hid, loaded lazily). */
  inputs?: CounterInputs;
  logger?: Logger;
  clock?: Clock;
  /** The file the config came from, so that `cmd/reload-config` can re-read it. */
  configPath?: string;
  reloadConfig?: () => AgentConfig;
  camera?: () => CameraStatus;
  models?: Array<{ name: string; sha256: string }>;
  publisher?: Partial<PublisherOptions>;
  /**
   * The camera pipeline, built with the agent's visit resolver so that face tracks land on the
   * right visit. Started with the agent, stopped by `agent.stop()`; its stats feed telemetry.
   * Default: the config's `camera` (perception loaded only then), none without one.
   */
  perception?: PerceptionFactory;
  /** The broker connection; MQTT by default (tests wrap it to inject faults). */
  transport?: TransportFactory;
}

export interface AgentStateSnapshot {
  connected: boolean;
  /** The broker link and, when not connected, why (refused with which CONNACK code, closed…). */
  link: LinkStatus;
  bootId: string;
  configVersion: number | null;
  counter: CounterState;
  screen: Screen;
  outbox: OutboxStats;
  inFlight: number;
  hid: HidStatus[];
  restarts: number;
  /** Where the kiosk screen is served, when configured. */
  kioskUrl: string | null;
  /** Bus listeners that threw or rejected since start (an extension's bug; the emitter never saw it). */
  listenerErrors: number;
  /** The camera pipeline: off without `camera` in the device file, `error` when it cannot run. */
  camera: CameraStatus;
}

export interface Agent {
  readonly bus: AgentBus;
  config(): AgentConfig;
  state(): AgentStateSnapshot;
  /** The telemetry message this device would publish now (also handy for a local status page). */
  telemetry(): PayloadOf<'telemetry'>;
  /** Feeds the counter directly: kiosk touches, perception (face seen/left), officer actions. */
  input(i: CounterInput): void;
  restart(reason: string): Promise<void>;
  /** Publishes retained `status: stopped`, closes devices, connection and the outbox. */
  stop(): Promise<void>;
}

const OFF_CAMERA: CameraStatus = { state: 'off', fps: null, inferenceMs: null, error: null };

export async function startAgent(
  initialConfig: AgentConfig,
  options: StartAgentOptions = {},
): Promise<Agent> {
  const logger =
    options.logger ?? pino({ name: 'edge-agent', base: { deviceId: initialConfig.device.deviceId } });
  const clock = options.clock ?? systemClock;
  // A failing listener is an extension's bug: logged (rate-limited by the bus) and counted, never
  // the emitter's problem.
  const bus = new AgentBus((name, err) =>
    logger.error(
      { event: name, err: err.message, listenerErrors: bus.listenerErrors },
      'bus listener failed',
    ),
  );
  let config = initialConfig;
  const inputs = options.inputs ?? (await createHidInputs(config, logger));
  let restarts = 0;
  let stopped = false;
  let chain: Promise<void> = Promise.resolve();
  let reloadFile: (() => AgentConfig) | null = options.reloadConfig ?? null;
  if (!reloadFile && options.configPath) {
    const path = options.configPath;
    const { loadAgentConfig } = await import('@onestop/firmware-config');
    reloadFile = () => loadAgentConfig(path);
  }
  let pendingConfig: AgentConfig | null = null;
  const visits = new VisitHistory();
  const cam = new CameraSlot(options, visits, logger);
  const cameraStatus = options.camera ?? (() => cam.status());

  const build = (carried: CounterState | null): Runtime =>
    new Runtime({
      carried,
      ...(options.transport ? { transport: options.transport } : {}),
      config,
      bus,
      inputs,
      logger,
      clock,
      camera: cameraStatus,
      models: options.models ?? cam.models,
      publisher: { window: 32, ackTimeoutMs: 30_000, deadLetterAfter: 5, ...options.publisher },
      // A command or config reload asks for this and does not wait: a failure is logged here,
      // never left as an unhandled rejection that would take the whole agent down.
      requestRestart: (reason) =>
        void agent
          .restart(reason)
          .catch((e: Error) => logger.error({ err: e.message, reason }, 'restart failed')),
      reloadConfigFile: reloadFile
        ? () => {
            pendingConfig = reloadFile!();
            return pendingConfig;
          }
        : null,
      perception: cam.perception,
      visits,
    });

  // Assigned right after `agent` exists: extensions built with the runtime receive the agent.
  let runtime!: Runtime;
  /**
   * Set while no runtime runs because a restart failed even with a config that ran before: the
   * state to go on from. The agent then retries on its own (with backoff) — without a runtime no
   * `cmd/restart` can reach it, and a counter must not stay dead until someone comes.
   */
  let down: { carried: CounterState | null } | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let lastOutbox: OutboxStats | null = null;

  const retryLater = (attempt: number, cause: unknown): void => {
    const delay = backoffDelay(attempt);
    const err = cause instanceof Error ? cause.message : String(cause);
    logger.error({ err, attempt, retryInMs: delay }, 'agent is down after a failed restart; retrying');
    retryTimer = setTimeout(() => {
      retryTimer = null;
      chain = chain
        .catch(() => {})
        .then(async () => {
          if (stopped || !down) return; // stopped, or a restart in between brought it back
          try {
            runtime = await launch(down.carried);
            down = null;
            logger.info({ attempt }, 'agent is back after a failed restart');
          } catch (e) {
            if (e instanceof LaunchError) down = { carried: e.finalState };
            retryLater(attempt + 1, e);
          }
        });
    }, delay);
  };

  const agent: Agent = {
    bus,
    config: () => config,
    state: () => {
      const { state, screen } = runtime.counter.current();
      // Down, the last runtime's outbox is closed: what it held when it stopped.
      const outbox = down && lastOutbox ? lastOutbox : runtime.outbox.stats();
      return {
        connected: runtime.connected,
        link: runtime.link,
        bootId: runtime.outbox.bootId,
        configVersion: runtime.settings.version(),
        counter: state,
        screen,
        outbox,
        inFlight: runtime.publisher.inFlight,
        hid: inputs.status(),
        restarts,
        kioskUrl: runtime.kioskUrl,
        listenerErrors: bus.listenerErrors,
        camera: cameraStatus(),
      };
    },
    telemetry: () => runtime.telemetry.snapshot(),
    input: (i) => runtime.counter.dispatch(i),
    restart: (reason) => {
      // Serialised: a restart command arriving during a restart waits its turn. `catch` first, so
      // that one failed restart does not reject (and so skip) every later restart and the stop.
      chain = chain
        .catch(() => {})
        .then(async () => {
          if (stopped) return;
          bus.emit('agent.restarting', { reason });
          logger.info({ reason }, 'restarting agent');
          if (!down) lastOutbox = runtime.outbox.stats();
          // The state is taken when the old runtime's counter is frozen, not before it stops.
          let carried: CounterState | null = down ? down.carried : await runtime.stop(false);
          down = null;
          const previous = config;
          if (pendingConfig) config = pendingConfig;
          pendingConfig = null;
          restarts++;
          try {
            runtime = await launch(carried);
          } catch (e) {
            // The failed runtime may have recorded events at start-up (overdue deadlines): go on
            // from its final state so the fallback does not record them a second time.
            if (e instanceof LaunchError) carried = e.finalState;
            if (config === previous) {
              down = { carried };
              retryLater(0, e);
              throw e;
            }
            // The new file does not run (unwritable dataDir, a device that fails): go back to the
            // configuration that did, rather than leave the counter dead until someone comes.
            logger.error(
              { err: (e as Error).message },
              'restart with the new config failed; keeping the old one',
            );
            config = previous;
            try {
              runtime = await launch(carried);
            } catch (e2) {
              down = { carried: e2 instanceof LaunchError ? e2.finalState : carried };
              retryLater(0, e2);
              throw e2;
            }
          }
        });
      return chain;
    },
    stop: () => {
      chain = chain
        .catch(() => {})
        .then(async () => {
          if (stopped) return;
          stopped = true;
          if (retryTimer) clearTimeout(retryTimer);
          await cam.stop();
          // Down: the last runtime is already stopped (its stop is idempotent), nothing more to close.
          await runtime.stop(true);
        });
      return chain;
    },
  };

  /**
   * Brings the camera in line with the config, then builds and starts a runtime; one that fails
   * half-way (even in its constructor) is stopped again (files, sockets).
   */
  const launch = async (carried: CounterState | null): Promise<Runtime> => {
    await cam.follow(config.camera);
    let next: Runtime;
    try {
      next = build(carried);
    } catch (e) {
      throw new LaunchError(e, carried);
    }
    try {
      await next.start();
    } catch (e) {
      const finalState = await next.stop(false).catch(() => carried);
      throw new LaunchError(e, finalState);
    }
    // After the extensions: the bridge listens before the first face is reported.
    cam.start();
    return next;
  };

  try {
    runtime = await launch(null);
  } catch (e) {
    await cam.stop(); // its worker thread would keep a process that failed to start alive
    throw e;
  }
  return agent;
}

/** A runtime that failed to start, with the counter state it ended in (what to go on from). */
class LaunchError extends Error {
  constructor(
    cause: unknown,
    readonly finalState: CounterState | null,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'LaunchError';
  }
}

/**
 * The camera pipeline follows the device file: built when `camera` appears or changes (source,
 * detector…), stopped when it is removed — a camera taken out of the file must stop looking at
 * faces. It outlives restarts that leave it unchanged. One that cannot be built (a missing model,
 * onnxruntime failing to load) is logged and shown as `error`; ratings go on without it.
 */
class CameraSlot {
  private key: string | null = null;
  private current: PerceptionLike | null = null;
  private failure: CameraStatus | null = null;
  private started = false;
  models: Array<{ name: string; sha256: string }> = [];

  constructor(
    private readonly options: StartAgentOptions,
    private readonly visits: VisitHistory,
    private readonly logger: Logger,
  ) {}

  get perception(): PerceptionLike | null {
    return this.current;
  }

  status(): CameraStatus {
    return this.current?.stats() ?? this.failure ?? OFF_CAMERA;
  }

  async follow(camera: AgentConfig['camera']): Promise<void> {
    const key = camera ? JSON.stringify(camera) : null;
    if (key === this.key) return;
    await this.stop();
    this.key = key;
    if (!camera) return;
    try {
      let make = this.options.perception;
      if (!make) {
        // The device's own camera: perception is loaded only now, and the birth reports its models.
        const built = await cameraPerception(camera, this.logger);
        make = built.create;
        this.models = built.models;
      }
      this.current = make(this.visits.resolve);
    } catch (e) {
      const error = (e as Error).message;
      this.logger.error({ err: error }, 'camera cannot start; the counter runs without it');
      this.failure = { state: 'error', fps: null, inferenceMs: null, error };
    }
  }

  /** Runs until stopped; camera faults show up in telemetry, never as a crash of the agent. */
  start(): void {
    if (!this.current || this.started) return;
    this.started = true;
    void this.current
      .start()
      .catch((e: Error) => this.logger.error({ err: e.message }, 'perception stopped'));
  }

  async stop(): Promise<void> {
    const p = this.current;
    this.current = null;
    this.failure = null;
    this.models = [];
    this.key = null;
    this.started = false;
    await p?.stop().catch((e: Error) => this.logger.error({ err: e.message }, 'camera did not stop'));
  }
}
