import type { AgentConfig, CompiledPatterns } from '@onestop/firmware-config';
import type {
  Capability,
  Channel,
  CounterSettings,
  DeviceAddress,
  LinkStatus,
  PayloadOf,
  RatingScale,
} from '@onestop/protocol';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { CounterInputs } from '../devices/inputs.js';
import type { Outbox } from '../outbox/outbox.js';
import type { Transport } from '../transport/transport.js';
import type { AgentBus } from './bus.js';
import type { CommentKey } from './comment-key.js';

export interface CameraStatus {
  state: 'off' | 'running' | 'error';
  fps: number | null;
  inferenceMs: number | null;
  error: string | null;
}

/** Live settings: file defaults until the centre's retained `config` replaces them. */
export interface SettingsStore {
  get(): CounterSettings;
  version(): number | null;
}

/** What every extension receives; typed so that an extension cannot reach for something undeclared. */
export interface AgentContext {
  config: AgentConfig;
  address: DeviceAddress;
  patterns: CompiledPatterns;
  bus: AgentBus;
  outbox: Outbox;
  transport: Transport;
  inputs: CounterInputs;
  settings: SettingsStore;
  logger: Logger;
  clock: Clock;
  capabilities: Capability[];
  /** The keypad profile's scale, when the device has a keypad (`birth.keypadScale`). */
  keypadScale: RatingScale | undefined;
  /** The key this device signs its comment QR codes with; null on a device without a screen. */
  commentKey: CommentKey | null;
  models: Array<{ name: string; sha256: string }>;
  camera: () => CameraStatus;
  /** The broker link now; changes are announced on the bus as `mqtt.link`. */
  link: () => LinkStatus;
  /** Validates and publishes directly (status, birth, telemetry, command responses); never queued. */
  publish<C extends Channel>(channel: C, payload: PayloadOf<C>): Promise<void>;
  /** Ask the controller for a restart (command or config reload). */
  requestRestart(reason: string): void;
  /** Re-read the device file, if the agent was started from one. */
  reloadConfigFile: (() => AgentConfig) | null;
}

export interface Extension {
  readonly name: string;
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}

export const AGENT_VERSION = '0.1.0';
