import { CounterId, CounterSettings, DeviceId, ReleasePublicKeys, UnitId } from '@onestop/protocol';
import { z } from 'zod';
import { parseCameraSource } from './camera-source.js';
import { ProfileName } from './profile-schema.js';

export const CONFIG_SCHEMA_VERSION = 2 as const;

/** Perception backends a device file may name; the agent has exactly one backend for each. */
export const DETECTORS = ['onnx-cpu'] as const;
export type DetectorName = (typeof DETECTORS)[number];

/** A regular expression written as a string; compiled here so that a typo fails at load time. */
const RegexSource = z
  .string()
  .min(1)
  .max(300)
  .refine(
    (s) => {
      try {
        new RegExp(s);
        return true;
      } catch {
        return false;
      }
    },
    { message: 'is not a valid regular expression' },
  );

const DeviceRef = z.strictObject({
  /** Name of a JSON file in firmware-config/profiles (or the extra profile directory). */
  profile: ProfileName,
  /** Pin the device to one hidraw path when two identical devices are plugged in. */
  path: z.string().min(1).max(256).optional(),
});
export type DeviceRef = z.infer<typeof DeviceRef>;

const MqttUrl = z.string().refine((s) => /^(mqtts?|wss?):\/\/[^\s/]+/.test(s), {
  message: 'must be an mqtt://, mqtts://, ws:// or wss:// URL',
});

/**
 * Where the kiosk page listens: a host name or an IP address, nothing else, because the installer
 * writes it into the kiosk browser's command line (a space would add browser flags).
 */
const KioskHost = z
  .string()
  .refine((h) => z.hostname().safeParse(h).success || z.ipv6().safeParse(h).success, {
    message: 'kiosk.host must be a host name or an IP address, e.g. 127.0.0.1',
  });

export const AgentConfig = z.strictObject({
  schemaVersion: z.literal(CONFIG_SCHEMA_VERSION, {
    message: `schemaVersion must be ${CONFIG_SCHEMA_VERSION}`,
  }),
  device: z.strictObject({ unitId: UnitId, counterId: CounterId, deviceId: DeviceId }),
  mqtt: z
    .strictObject({
      url: MqttUrl,
      username: z.string().min(1).max(128),
      password: z.string().max(256),
      tlsCaFile: z.string().min(1).optional(),
      /**
       * The board's client certificate and key (`onestop tls init --client ID`), presented over
       * TLS as a second credential beside the password: issued to this board's username.
       */
      tlsCertFile: z.string().min(1).optional(),
      tlsKeyFile: z.string().min(1).optional(),
    })
    .refine((m) => (m.tlsCertFile === undefined) === (m.tlsKeyFile === undefined), {
      message: 'mqtt.tlsCertFile and mqtt.tlsKeyFile go together: give both or neither',
      path: ['tlsKeyFile'],
    }),
  /** Holds the outbox database; must survive reboots (not tmpfs). */
  dataDir: z.string().min(1),
  /** Defaults until the centre's retained `config` arrives; then replaced live. */
  settings: CounterSettings.default(CounterSettings.parse({})),
  devices: z
    .strictObject({
      keypad: DeviceRef.nullable().default(null),
      scanner: DeviceRef.nullable().default(null),
      badge: DeviceRef.nullable().default(null),
      /** Extra profile directories searched before the built-in ones. */
      profileDirs: z.array(z.string().min(1)).max(4).default([]),
      /**
       * Take the devices away from the kernel's keyboard driver while the agent runs (node-hid's
       * libusb backend detaches it), so that presses and scans never type into other programs
       * (a console login, the kiosk browser). `false` reads through hidraw alongside the kernel.
       * Needs the udev rules in firmware-config/udev on Linux.
       */
      grab: z.boolean().default(true),
    })
    .default({ keypad: null, scanner: null, badge: null, profileDirs: [], grab: true }),
  patterns: z
    .strictObject({
      /** Dossier codes on receipts, e.g. 000.00.12.H26-251124-0001. */
      dossierId: RegexSource.default('^[0-9]{3}\\.[0-9]{2}\\.[0-9]{2}\\.[A-Z][0-9]{2}-[0-9]{6}-[0-9]{4}$'),
      /** Queue tickets from the ticket machine, e.g. A015 or 0153. */
      ticket: RegexSource.default('^[A-Z]{0,2}[0-9]{1,4}$'),
    })
    .default({
      dossierId: '^[0-9]{3}\\.[0-9]{2}\\.[0-9]{2}\\.[A-Z][0-9]{2}-[0-9]{6}-[0-9]{4}$',
      ticket: '^[A-Z]{0,2}[0-9]{1,4}$',
    }),
  kiosk: z
    .strictObject({
      port: z.int().min(0).max(65_535),
      host: KioskHost.default('127.0.0.1'),
      /**
       * The officer's start/end visit buttons on the screen, which faces the citizen too. Left
       * out, they are on only where no scanner starts visits: see kioskOfficerControls.
       */
      officerControls: z.boolean().optional(),
    })
    .nullable()
    .default(null),
  camera: z
    .strictObject({
      /**
       * `/dev/v4l/by-id/…` (stable), `/dev/videoN`, `rpicam:<n>`, `replay:<folder>` or a video
       * file: see camera-source.ts. Frames never leave the process.
       */
      source: z
        .string()
        .min(1)
        .superRefine((s, ctx) => {
          try {
            parseCameraSource(s);
          } catch (e) {
            ctx.addIssue({ code: 'custom', message: (e as Error).message });
          }
        }),
      fps: z.int().min(1).max(30).default(5),
      role: z.enum(['citizen', 'officer']).default('citizen'),
      /**
       * Which perception backend runs the models (as Frigate's `detectors`): `onnx-cpu` is
       * onnxruntime on the CPU, the only one today. Added to version 2 with a default, so every
       * existing file keeps its meaning and needs no migration.
       */
      detector: z.enum(DETECTORS).default('onnx-cpu'),
    })
    .nullable()
    .default(null),
  /**
   * Automatic sign-out, so that a forgotten badge-out never makes an officer answer for ratings
   * given after they left: a session ends after `maxHours`, and at `endOfDay` (HH:MM, Vietnam
   * time, UTC+07:00, whatever the board's clock zone) if that comes first; null turns it off.
   */
  sessions: z
    .strictObject({
      maxHours: z.number().min(1).max(24).default(12),
      endOfDay: z
        .string()
        .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'endOfDay is a 24-hour time, HH:MM')
        .nullable()
        .default('23:00'),
    })
    .default({ maxHours: 12, endOfDay: '23:00' }),
  /**
   * Fleet updates (issue 14): where the centre serves release bundles and whose signature makes
   * one installable. Written by `onestop agent pair` from the centre's answer; null turns updates
   * off (the board answers every offer with `failed`). Added to version 2 with a default, so
   * every existing file keeps its meaning and needs no migration.
   */
  updates: z
    .strictObject({
      /** The centre's HTTP(S) origin; an offer's path (`releaseDownloadPath`) is fetched from it. */
      centreUrl: z.url({ protocol: /^https?$/, message: 'updates.centreUrl must be an http(s):// URL' }),
      /** PEM Ed25519 public keys, as the pairing answer's `releaseKeys`. */
      releaseKeys: ReleasePublicKeys,
      /**
       * Holds `releases/<version>/`, the `current` symlink and the launcher's state file; never
       * the outbox (dataDir) nor this file.
       */
      installRoot: z.string().min(1).default('/var/lib/onestop-agent'),
    })
    .nullable()
    .default(null),
  outbox: z
    .strictObject({
      capacity: z.int().min(100).max(10_000_000).default(100_000),
      /** Telemetry raises an alert above this depth: the link has been down too long. */
      alertAt: z.int().min(1).default(10_000),
    })
    .refine((o) => o.alertAt <= o.capacity, {
      path: ['alertAt'],
      message: 'alertAt must not exceed capacity',
    })
    .default({ capacity: 100_000, alertAt: 10_000 }),
});

export type AgentConfig = z.infer<typeof AgentConfig>;
export type AgentConfigInput = z.input<typeof AgentConfig>;

export interface CompiledPatterns {
  dossierId: RegExp;
  ticket: RegExp;
}

export function compilePatterns(p: AgentConfig['patterns']): CompiledPatterns {
  return { dossierId: new RegExp(p.dossierId), ticket: new RegExp(p.ticket) };
}

/**
 * Whether the kiosk screen offers (and its server takes) the officer's start/end visit touches.
 * Where a scanner starts visits they would only let a citizen start, end and rate visits over
 * and over, each rating getting its own visit past the burst guard; so off there unless the
 * device file says `kiosk.officerControls: true`.
 */
export function kioskOfficerControls(config: Pick<AgentConfig, 'kiosk' | 'devices'>): boolean {
  return config.kiosk?.officerControls ?? config.devices.scanner === null;
}
