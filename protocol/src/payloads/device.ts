import { z } from 'zod';
import { DeviceId, EpochMs, Uuid } from '../ids.js';
import { ProtocolVersion } from './envelope.js';

/** Retained; also the MQTT Last Will (`offline`) so the dashboard knows a device vanished. */
export const StatusMessage = z.strictObject({
  v: ProtocolVersion,
  deviceId: DeviceId,
  state: z.enum(['online', 'offline', 'stopped']),
  ts: EpochMs,
  bootId: Uuid,
});

export const Capability = z.enum([
  'keypad',
  'touch',
  'scanner',
  'badge',
  'camera_citizen',
  'camera_officer',
  'kiosk',
  'audio',
]);

/** Retained; what this device is and runs, published on every (re)connect. */
export const BirthMessage = z.strictObject({
  v: ProtocolVersion,
  deviceId: DeviceId,
  bootId: Uuid,
  ts: EpochMs,
  agentVersion: z.string().min(1).max(40),
  models: z
    .array(z.strictObject({ name: z.string().min(1).max(64), sha256: z.string().regex(/^[a-f0-9]{64}$/) }))
    .max(8),
  capabilities: z.array(Capability).max(16),
  configVersion: z.int().min(0).nullable(),
});

const HidState = z.strictObject({
  role: z.enum(['keypad', 'scanner', 'badge']),
  state: z.enum(['connected', 'missing', 'error', 'virtual']),
  name: z.string().max(80).nullable(),
});

/** QoS 0, every `telemetryIntervalMs`: numbers to watch a device by, never personal data. */
export const TelemetryMessage = z.strictObject({
  v: ProtocolVersion,
  deviceId: DeviceId,
  bootId: Uuid,
  ts: EpochMs,
  uptimeS: z.number().min(0),
  cpuTempC: z.number().min(-40).max(150).nullable(),
  load1: z.number().min(0),
  memUsedMb: z.number().min(0),
  memTotalMb: z.number().min(0),
  camera: z.strictObject({
    state: z.enum(['off', 'running', 'error']),
    fps: z.number().min(0).nullable(),
    inferenceMs: z.number().min(0).nullable(),
    error: z.string().max(200).nullable(),
  }),
  outbox: z.strictObject({
    depth: z.int().min(0),
    capacity: z.int().min(1),
    oldestTs: EpochMs.nullable(),
    /** Events the server kept refusing, set aside on the device (never deleted): needs a technician. */
    deadLetters: z.int().min(0).default(0),
  }),
  hid: z.array(HidState).max(8),
  ignoredPresses: z.int().min(0),
});

export type StatusMessage = z.infer<typeof StatusMessage>;
export type BirthMessage = z.infer<typeof BirthMessage>;
export type TelemetryMessage = z.infer<typeof TelemetryMessage>;
export type Capability = z.infer<typeof Capability>;
