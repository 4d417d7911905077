import { type AgentConfig, compilePatterns } from '@onestop/firmware-config';
import {
  type Capability,
  CHANNELS,
  type Channel,
  channelsFrom,
  decodeIngestState,
  deviceSubscriptions,
  encodePayload,
  INGEST_STATE,
  type LinkStatus,
  type PayloadOf,
  parseTopic,
  prepareDecoders,
  type RatingScale,
  topicFor,
} from '@onestop/protocol';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { CounterState } from '../counter/types.js';
import { configuredDevices } from '../devices/create-inputs.js';
import type { CounterInputs } from '../devices/inputs.js';
import { Outbox } from '../outbox/outbox.js';
import { MqttTransport, type MqttTransportOptions } from '../transport/mqtt-transport.js';
import { Subscriptions } from '../transport/subscriptions.js';
import type { ConnectingTransport, TransportHandlers } from '../transport/transport.js';
import type { AgentBus } from './bus.js';
import { loadCommentKey } from './comment-key.js';
import type { AgentContext, CameraStatus, Extension } from './context.js';
import { CounterDriver } from './extensions/counter-driver.js';
import { type ExtensionHost, isKiosk, loadExtensions } from './extensions/index.js';
import type { PerceptionLike, VisitHistory } from './extensions/perception-bridge.js';
import { Publisher, type PublisherOptions } from './extensions/publisher.js';
import { StatusAnnouncer } from './extensions/status.js';
import { Telemetry } from './extensions/telemetry.js';
import { PersistentSettings } from './settings-store.js';

export interface RuntimeDeps {
  config: AgentConfig;
  bus: AgentBus;
  inputs: CounterInputs;
  logger: Logger;
  clock: Clock;
  camera: () => CameraStatus;
  models: Array<{ name: string; sha256: string }>;
  publisher: PublisherOptions;
  requestRestart(reason: string): void;
  reloadConfigFile: (() => AgentConfig) | null;
  /** The camera pipeline, if any: the agent's, shared by every runtime (the bridge is per runtime). */
  perception: PerceptionLike | null;
  visits: VisitHistory;
  /** The previous runtime's counter state on an in-process restart: an open visit goes on. */
  carried: CounterState | null;
  /** Builds the broker connection; MQTT unless a test wraps it. */
  transport?: TransportFactory;
}

export type TransportFactory = (
  opts: MqttTransportOptions,
  handlers: TransportHandlers,
) => ConnectingTransport;
const mqttTransport: TransportFactory = (opts, handlers) => new MqttTransport(opts, handlers);

/**
 * The scale of the configured keypad's profile, for the birth: what its presses send whatever the
 * settings say. Unknown (undefined) when the profile cannot be read: the inputs report that fault.
 */
function keypadScaleOf(c: AgentConfig): RatingScale | undefined {
  if (!c.devices.keypad) return undefined;
  try {
    for (const { profile } of configuredDevices(c)) if (profile.role === 'keypad') return profile.scale;
    return undefined;
  } catch {
    return undefined;
  }
}

function capabilitiesOf(c: AgentConfig): Capability[] {
  const caps: Capability[] = [];
  if (c.devices.keypad) caps.push('keypad');
  if (c.devices.scanner) caps.push('scanner');
  if (c.devices.badge) caps.push('badge');
  if (c.kiosk) caps.push('kiosk', 'touch');
  if (c.camera) caps.push(c.camera.role === 'citizen' ? 'camera_citizen' : 'camera_officer');
  return caps;
}

/** One boot of the agent: outbox, connection and extensions. A restart builds a new one. */
export class Runtime {
  readonly outbox: Outbox;
  readonly counter: CounterDriver;
  readonly publisher: Publisher;
  readonly telemetry: Telemetry;
  readonly settings: PersistentSettings;
  private readonly transport: ConnectingTransport;
  private readonly subscriptions: Subscriptions;
  private readonly status: StatusAnnouncer;
  /** Built at start from `AGENT_EXTENSIONS`, in start order. */
  private readonly extensions: Extension[] = [];
  private readonly ctx: AgentContext;
  private stopped = false;
  private finalState: CounterState | null = null;
  private linkStatus: LinkStatus = { state: 'connecting' };

  constructor(private readonly d: RuntimeDeps) {
    const { config, bus, logger, clock } = d;
    const address = config.device;
    this.outbox = new Outbox({
      dataDir: config.dataDir,
      address,
      ...config.outbox,
      clock,
    });
    // A constructor that throws (a transport that cannot be built) must not leave the outbox open:
    // nobody else holds it to close it.
    try {
      this.settings = new PersistentSettings(config.settings, this.outbox, logger);
      const statusPayload = (state: 'online' | 'offline' | 'stopped') =>
        encodePayload('status', {
          v: 1,
          deviceId: address.deviceId,
          state,
          ts: clock.now(),
          bootId: this.outbox.bootId,
        });
      this.transport = (d.transport ?? mqttTransport)(
        {
          url: config.mqtt.url,
          clientId: address.deviceId,
          username: config.mqtt.username,
          password: config.mqtt.password,
          tlsCaFile: config.mqtt.tlsCaFile,
          tlsClient:
            config.mqtt.tlsCertFile && config.mqtt.tlsKeyFile
              ? { certFile: config.mqtt.tlsCertFile, keyFile: config.mqtt.tlsKeyFile }
              : undefined,
          will: { topic: topicFor(address, 'status'), payload: statusPayload('offline') },
          logger,
        },
        {
          onConnect: (resumed) => this.subscriptions.onConnect(resumed),
          onDisconnect: (reason) => {
            this.subscriptions.onDisconnect();
            bus.emit('mqtt.disconnected', { reason });
          },
          onMessage: (topic, payload) => this.onMessage(topic, payload),
          onLink: (status) => {
            this.linkStatus = status;
            if (status.state === 'reconnecting')
              logger.warn(
                { reason: status.reason, refusedCode: status.refusedCode, attempt: status.attempt },
                'not connected to the broker; retrying',
              );
            bus.emit('mqtt.link', status);
          },
        },
      );
      this.statusPayload = statusPayload;
      const transport = this.transport;
      this.subscriptions = new Subscriptions(
        transport,
        () => deviceSubscriptions(config.device),
        // Optional: a centre older than the topic refuses it, and the agent then works as before.
        [INGEST_STATE.topic],
        logger,
        (resumed) => this.onReady(resumed),
      );
      this.ctx = {
        config,
        address,
        patterns: compilePatterns(config.patterns),
        bus,
        outbox: this.outbox,
        transport,
        inputs: d.inputs,
        settings: this.settings,
        logger,
        clock,
        capabilities: capabilitiesOf(config),
        keypadScale: keypadScaleOf(config),
        commentKey: config.kiosk ? loadCommentKey(config.dataDir, logger) : null,
        models: d.models,
        camera: d.camera,
        link: () => this.linkStatus,
        publish: async <C extends Channel>(channel: C, payload: PayloadOf<C>) => {
          const def = CHANNELS[channel];
          await transport.publish(topicFor(address, channel), encodePayload(channel, payload), {
            qos: def.qos,
            retain: def.retain,
          });
        },
        requestRestart: d.requestRestart,
        reloadConfigFile: d.reloadConfigFile,
      };
      this.counter = new CounterDriver(this.ctx, config.kiosk !== null, d.carried);
      this.publisher = new Publisher(this.ctx, d.publisher);
      this.telemetry = new Telemetry(this.ctx, () => this.counter.current().state.ignoredPresses);
      this.status = new StatusAnnouncer(this.ctx);
    } catch (e) {
      this.outbox.close();
      throw e;
    }
  }

  private readonly statusPayload: (state: 'online' | 'offline' | 'stopped') => Buffer;

  async start(): Promise<void> {
    prepareDecoders(channelsFrom('server'));
    const host: ExtensionHost = {
      ctx: this.ctx,
      settings: this.settings,
      status: this.status,
      counter: this.counter,
      publisher: this.publisher,
      telemetry: this.telemetry,
      perception: this.d.perception,
      visits: this.d.visits,
    };
    await loadExtensions(host, this.extensions);
    for (const e of this.extensions) await e.start();
    await this.d.inputs.start((e) => this.d.bus.emit('input.device', e));
    this.transport.connect();
  }

  /** Connected and subscribed: only now can acks, config and commands reach us. */
  private onReady(resumed: boolean): void {
    this.d.logger.info({ resumed }, 'connected to broker');
    this.d.bus.emit('mqtt.connected', { resumed });
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (topic === INGEST_STATE.topic) {
      const state = decodeIngestState(payload);
      if (state.ok) this.d.bus.emit('centre.ingest', state.value);
      else this.d.bus.emit('rejected', { source: 'mqtt ingest state', reason: state.reason });
      return;
    }
    const t = parseTopic(topic);
    const me = this.d.config.device;
    if (!t.ok) {
      this.d.bus.emit('rejected', { source: 'mqtt topic', reason: t.reason });
      return;
    }
    if (
      t.topic.unitId !== me.unitId ||
      t.topic.counterId !== me.counterId ||
      t.topic.deviceId !== me.deviceId
    )
      return;
    this.d.bus.emit('mqtt.message', { channel: t.topic.channel, payload });
  }

  get connected(): boolean {
    return this.transport.connected;
  }

  /** The broker link and, when down, why (a refusal keeps its CONNACK code). */
  get link(): LinkStatus {
    return this.linkStatus;
  }

  /** Where the kiosk screen is served, when the device has one. */
  get kioskUrl(): string | null {
    return this.extensions.find(isKiosk)?.url ?? null;
  }

  get context(): AgentContext {
    return this.ctx;
  }

  /**
   * `final`: a real stop (retained `stopped`); otherwise a restart, where the will covers a crash.
   * Returns the counter's final state, for the next runtime of a restart to start from.
   */
  async stop(final: boolean): Promise<CounterState> {
    // Idempotent: after a failed restart the controller may stop this runtime a second time.
    if (this.stopped) return this.finalState ?? this.counter.current().state;
    this.stopped = true;
    // A real stop closes the open visit while the outbox and the publisher still run, so its end
    // is recorded (and sent if connected) before `stopped`. A restart hands the state over instead.
    // Either way the counter is frozen FIRST: nothing arriving while devices, kiosk and camera
    // close can change a state that is already handed over.
    if (final) this.counter.close();
    this.finalState = this.counter.freeze();
    await this.d.inputs.stop();
    this.subscriptions.stop();
    for (const e of [...this.extensions].reverse()) await e.stop();
    const opts = { qos: 1 as const, retain: true };
    await this.transport.stop(
      final
        ? { topic: topicFor(this.d.config.device, 'status'), payload: this.statusPayload('stopped'), opts }
        : undefined,
    );
    this.outbox.close();
    return this.finalState;
  }
}
