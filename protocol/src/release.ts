import { createHash, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { Count, measured, SafeCount } from './bounds.js';
import { DeviceClockMs, DeviceId, EpochMs, Uuid } from './ids.js';
import { ProtocolVersion } from './payloads/envelope.js';

/**
 * Fleet updates (issue 14): the contract between `onestop release create|verify`, the centre that
 * stores and offers releases, and the agent that installs them. Defined here, once, since all
 * three check it.
 *
 * A release bundle is a gzip-compressed tar archive whose first entry is `manifest.json` and
 * whose other entries are the manifest's files under `files/`, followed by a fixed-size signature
 * trailer: `RELEASE_SIGNATURE_MARKER`, then the base64 Ed25519 signature of
 * `RELEASE_SIGNATURE_DOMAIN` + the SHA-256 of every byte before the trailer, then a newline.
 * Signing the archive's bytes, not only the manifest, is what makes a change of ANY byte (a tar
 * header's date, the gzip header, padding) a refused bundle; the manifest's per-file SHA-256 then
 * checks what is unpacked against what was signed. The centre's offer names the bundle's own
 * SHA-256 and size too, so a board can resume a download and know it has the bytes the centre
 * stored before it opens them.
 */
export const RELEASE_FORMAT = 1;
export const RELEASE_MANIFEST_ENTRY = 'manifest.json';
export const RELEASE_FILES_PREFIX = 'files/';
export const RELEASE_SIGNATURE_MARKER = '\n-----ONESTOP RELEASE SIGNATURE-----\n';
/** Domain separation: a signature over a release can never be replayed as one over anything else. */
export const RELEASE_SIGNATURE_DOMAIN = 'onestop-release-v1\0';
/** Marker + 88 base64 characters of a 64-byte Ed25519 signature + a newline. */
export const RELEASE_TRAILER_BYTES = RELEASE_SIGNATURE_MARKER.length + 88 + 1;

/** Semantic version, as npm writes it (pre-release and build tags allowed), ≤ 40 characters. */
export const ReleaseVersion = z
  .string()
  .max(40)
  .regex(
    /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})(-[0-9A-Za-z.-]{1,20})?(\+[0-9A-Za-z.-]{1,20})?$/,
    'version must be a semantic version such as 1.4.0 or 1.5.0-rc.1',
  );
export type ReleaseVersion = z.infer<typeof ReleaseVersion>;

export const Sha256Hex = z.string().regex(/^[a-f0-9]{64}$/, 'must be a lower-case hex SHA-256');

/** What a release replaces on the board: the agent's code, its models, or both. */
export const ReleaseComponent = z.enum(['agent', 'models']);
export type ReleaseComponent = z.infer<typeof ReleaseComponent>;

/**
 * A path inside the release: relative, forward slashes, no `..`, no empty or dot segments, no
 * leading slash. Checked here so that no unpacker can be led outside `releases/<version>/`.
 */
export const ReleasePath = z
  .string()
  .min(1)
  .max(400)
  .regex(
    /^[A-Za-z0-9@_+~-][A-Za-z0-9@_+~.-]*(\/[A-Za-z0-9@_+~-][A-Za-z0-9@_+~.-]*)*$/,
    'must be a relative path',
  )
  .refine((p) => !p.split('/').some((s) => s === '..' || s === '.'), 'must not contain . or .. segments');

export const ReleaseFile = z.strictObject({
  path: ReleasePath,
  size: SafeCount,
  sha256: Sha256Hex,
  /** Executable bit: the agent's launcher and native helpers need it after unpacking. */
  mode: z.union([z.literal(0o644), z.literal(0o755)]).default(0o644),
});
export type ReleaseFile = z.infer<typeof ReleaseFile>;

export const ReleaseModel = z.strictObject({ name: z.string().min(1).max(64), sha256: Sha256Hex });

export const ReleaseManifest = z.strictObject({
  format: z.literal(RELEASE_FORMAT),
  version: ReleaseVersion,
  createdAt: EpochMs,
  components: z.array(ReleaseComponent).min(1).max(2),
  /**
   * The board platform the agent's native dependencies were built for; null for a models-only
   * release (weights run on any platform).
   */
  platform: z
    .strictObject({
      os: z.literal('linux'),
      arch: z.enum(['arm64', 'arm', 'x64']),
      /** `process.versions.modules`: native addons load only under the same Node ABI. */
      nodeAbi: z.string().regex(/^\d{1,4}$/),
    })
    .nullable(),
  /** The lowest agent config schema version this release reads; a board below it is not offered it. */
  minConfigSchema: Count,
  files: z.array(ReleaseFile).min(1).max(100_000),
  /** The models this release runs, as `birth.models` reports them, so the centre knows beforehand. */
  models: z.array(ReleaseModel).max(8),
  notes: z.string().max(2_000).default(''),
});
export type ReleaseManifest = z.infer<typeof ReleaseManifest>;

/** Where a board fetches a bundle: one definition for the centre's route and the agent's client. */
export function releaseDownloadPath(version: string): string {
  return `/api/releases/${encodeURIComponent(version)}/bundle`;
}

/**
 * Retained, centre → device on `update`: the release this device should run, or null for "stay
 * on what you run". The centre changes it as a rollout widens, pauses or is withdrawn.
 */
export const UpdateOffer = z.strictObject({
  v: ProtocolVersion,
  ts: EpochMs,
  /** One rollout's offer: reports name it back so the centre counts them to the right rollout. */
  rolloutId: Uuid,
  version: ReleaseVersion,
  components: z.array(ReleaseComponent).min(1).max(2),
  /** Path on the centre (`releaseDownloadPath`) or an absolute https:// URL of a mirror. */
  url: z.string().min(1).max(500),
  size: SafeCount,
  sha256: Sha256Hex,
  /** How long the new release has to report healthy before the board goes back by itself. */
  healthDeadlineS: z.int().min(30).max(3_600).default(300),
});
export type UpdateOffer = z.infer<typeof UpdateOffer>;

/** Where an update stands on a board; `healthy`, `failed` and `rolled-back` end it. */
export const UPDATE_STATES = [
  'downloading',
  'verifying',
  'installing',
  'restarting',
  'healthy',
  'failed',
  'rolled-back',
] as const;
export const UpdateState = z.enum(UPDATE_STATES);
export type UpdateState = z.infer<typeof UpdateState>;

/** Device → centre on `update/status`, QoS 1, retained: the last step of the last update. */
export const UpdateStatus = z.strictObject({
  v: ProtocolVersion,
  deviceId: DeviceId,
  bootId: Uuid,
  ts: DeviceClockMs,
  rolloutId: Uuid.nullable(),
  /** The release this report is about. */
  version: ReleaseVersion,
  /** What runs now (after a rollback: the previous release). */
  running: ReleaseVersion,
  state: UpdateState,
  /** 0–1 while downloading, null otherwise. */
  progress: measured(0, 1).nullable(),
  /** One line a technician can act on, for `failed` and `rolled-back`; null otherwise. */
  reason: z.string().max(300).nullable(),
});
export type UpdateStatus = z.infer<typeof UpdateStatus>;

/**
 * At most this many release keys are trusted at once (a key being rotated in beside the old one,
 * with room to spare): the centre's store, the pairing answer and the board's config all hold it.
 */
export const MAX_RELEASE_KEYS = 4;

/** PEM public keys (Ed25519) whose signature makes a bundle installable: pairing answer, config. */
export const ReleasePublicKeys = z
  .array(
    z
      .string()
      .max(4096)
      .regex(/-----BEGIN PUBLIC KEY-----/, 'must be a PEM public key'),
  )
  .max(MAX_RELEASE_KEYS)
  .default([]);

/**
 * A short name of a public key (first 16 hex digits of the SHA-256 of its DER form), so a
 * technician can tell which key signed a release without comparing PEM blocks. Here, once: the
 * release tools name the signer with it and the centre's store names trusted keys with it.
 */
export function releaseKeyId(key: KeyObject): string {
  const der = key.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}
