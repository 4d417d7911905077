import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  type AgentConfig,
  type AgentConfigInput,
  CONFIG_SCHEMA_VERSION,
  writeAgentConfigFile,
  writePrivateFile,
} from '@onestop/firmware-config';
import {
  formatPairingCode,
  normalisePairingCode,
  PairingClaimResponse,
  PairingRefusalResponse,
} from '@onestop/protocol';
import { UsageError } from '../errors.js';

/** What `agent pair` was given: a code and `--centre`, or the URL of the QR code alone. */
export function pairingTarget(arg: string, centre: string | undefined): { code: string; centre: string } {
  let code = arg;
  let from = centre;
  if (/^https?:\/\//i.test(arg)) {
    const url = parseUrl(arg, 'the pairing URL');
    code = url.searchParams.get('code') ?? '';
    from ??= url.origin;
  }
  const normal = normalisePairingCode(code);
  if (!normal) throw new UsageError(`'${code}' is not a pairing code: 8 letters and digits, like ABCD-EFGH`);
  if (!from)
    throw new UsageError(
      'give the centre with --centre URL (the dashboard address, e.g. http://10.0.0.2:8080)',
    );
  const url = parseUrl(from, '--centre');
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--centre must be an http:// or https:// URL, got '${from}'`);
  return { code: formatPairingCode(normal), centre: url.origin };
}

function parseUrl(s: string, what: string): URL {
  try {
    return new URL(s);
  } catch {
    throw new UsageError(`${what} is not a URL: '${s}'`);
  }
}

/** Whether the answer (holding the password) would cross a network unencrypted. */
export function plainOverNetwork(centre: string): boolean {
  const url = new URL(centre);
  return url.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

/** A claim the centre refused (or could not be asked): `reason` as the centre named it, if any. */
export class PairingRefused extends UsageError {
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
  }
}

/** Claims the code from the centre: the answer, checked against the contract, or a clear refusal. */
export async function claimFromCentre(
  target: { code: string; centre: string },
  timeoutMs = 20_000,
): Promise<PairingClaimResponse> {
  let res: Response;
  try {
    res = await fetch(`${target.centre}/api/pair`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ code: target.code }),
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const cause = (e as Error & { cause?: Error }).cause?.message ?? (e as Error).message;
    throw new PairingRefused(`cannot reach the centre at ${target.centre}: ${cause}`, 'unreachable');
  }
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const refusal = PairingRefusalResponse.safeParse(body);
    throw new PairingRefused(
      `pairing refused (HTTP ${res.status}): ${refusal.success ? refusal.data.message : 'the centre gave no reason'}`,
      res.status === 429 ? 'throttled' : (refusal.success && refusal.data.reason) || 'refused',
    );
  }
  const answer = PairingClaimResponse.safeParse(body);
  if (!answer.success)
    throw new UsageError(
      `the centre's answer is not a pairing answer (${answer.error.issues[0]?.path.join('.')}: ${answer.error.issues[0]?.message}): is --centre the dashboard?`,
    );
  return answer.data;
}

/** What the board's own file adds: where the outbox lives and which USB devices and screen it has. */
export interface BoardChoices {
  dataDir: string;
  keypad?: string | undefined;
  scanner?: string | undefined;
  badge?: string | undefined;
  kioskPort?: number | undefined;
  camera?: string | undefined;
  /** The centre's origin the code was claimed from: release bundles are fetched from it. */
  centre?: string | undefined;
}

/** An existing device file is replaced only when asked: checked before the code is spent too. */
export function refuseExisting(configPath: string, replace: boolean): void {
  if (!replace && existsSync(configPath))
    throw new UsageError(`${configPath} exists: pass --force to replace it with the paired device's file`);
}

/**
 * Whether the device file can be written, asked before the code is claimed (a claimed code is
 * spent): not there yet (or `replace`), and its folder made and writable (root's, on a board).
 */
export function readyToWrite(configPath: string, replace: boolean): void {
  refuseExisting(configPath, replace);
  const dir = dirname(resolve(configPath));
  try {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new UsageError(
      `cannot write the device file in ${dir} (${(e as NodeJS.ErrnoException).code}): run it with sudo`,
    );
  }
}

/** The CA is kept next to the device file, where `agent install` looks for what the agent reads. */
export const caFileFor = (configPath: string) => join(dirname(resolve(configPath)), 'ca.pem');

/**
 * Writes the board's device file from the centre's answer (validated by the device file's own
 * schema, 0600) and the CA beside it. An existing file is replaced only with `replace`.
 */
export function writePairedConfig(
  configPath: string,
  answer: PairingClaimResponse,
  board: BoardChoices,
  replace: boolean,
): AgentConfig {
  refuseExisting(configPath, replace);
  // A fresh board has no /etc/onestop yet.
  mkdirSync(dirname(resolve(configPath)), { recursive: true, mode: 0o755 });
  const caFile = answer.caCertificate ? caFileFor(configPath) : null;
  const profile = (name: string | undefined) => (name ? { profile: name } : null);
  const input: AgentConfigInput = {
    schemaVersion: CONFIG_SCHEMA_VERSION,
    device: { unitId: answer.unitId, counterId: answer.counterId, deviceId: answer.deviceId },
    mqtt: {
      url: answer.mqtt.urls[0]!,
      username: answer.mqtt.username,
      password: answer.mqtt.password,
      ...(caFile ? { tlsCaFile: caFile } : {}),
    },
    dataDir: board.dataDir,
    ...(answer.settings ? { settings: answer.settings } : {}),
    ...(board.keypad || board.scanner || board.badge
      ? {
          devices: {
            keypad: profile(board.keypad),
            scanner: profile(board.scanner),
            badge: profile(board.badge),
          },
        }
      : {}),
    ...(board.kioskPort !== undefined ? { kiosk: { port: board.kioskPort } } : {}),
    ...(board.camera ? { camera: { source: board.camera } } : {}),
    // The keys the centre trusts for releases, and where it serves them (issue 14).
    ...(board.centre ? { updates: { centreUrl: board.centre, releaseKeys: answer.releaseKeys } } : {}),
  };
  // The CA is public: readable by the service user whatever owns it.
  if (caFile && answer.caCertificate) writePrivateFile(caFile, answer.caCertificate, false, 0o644);
  return writeAgentConfigFile(configPath, input, {
    header: [
      `Written by \`onestop agent pair\` for device ${answer.deviceId} (${answer.unitId}, counter ${answer.counterId}).`,
      'It holds the broker password: keep it private (mode 0600, or 0640 root:onestop once installed).',
    ].join('\n'),
  });
}
