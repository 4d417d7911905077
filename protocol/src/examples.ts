import type { Channel, PayloadInput } from './topics.js';

const device = { v: 1, deviceId: 'tv1-q03-a', bootId: '0193a0c2-5b1e-7c3d-9f00-1a2b3c4d5e6f' } as const;
const ts = 1_764_000_000_000;
const env = (seq: number, eventId: string) => ({
  ...device,
  eventId,
  seq,
  ts: ts + seq * 1000,
  mono: 5_000 + seq * 1000,
});
const probs = {
  neutral: 0.2,
  happy: 0.7,
  sad: 0.02,
  angry: 0.02,
  fearful: 0.02,
  disgusted: 0.02,
  surprised: 0.02,
};

/**
 * Documented examples of every channel, as a device or server would send them. The contract tests
 * check that each one validates, and the README/JSON Schema refer to them.
 */
export const EXAMPLES: { [C in Channel]: PayloadInput<C> } = {
  status: { ...device, state: 'online', ts },
  birth: {
    ...device,
    ts,
    agentVersion: '0.1.0',
    models: [{ name: 'tiny_face_detector', sha256: 'a'.repeat(64) }],
    capabilities: ['keypad', 'scanner', 'badge', 'kiosk'],
    configVersion: 3,
  },
  'evt/rating': {
    ...env(7, '0193a0c2-6000-7000-8000-000000000007'),
    visitId: '0193a0c2-5f00-7000-8000-000000000001',
    officerId: 'cb-nguyen-van-a',
    dossierIds: ['000.00.12.H26-251124-0001'],
    ticket: 'A015',
    scale: 'keypad4',
    level: 4,
    source: 'keypad',
    reasons: [],
    responseMs: 2400,
  },
  'evt/visit': {
    ...env(5, '0193a0c2-6000-7000-8000-000000000005'),
    phase: 'end',
    visitId: '0193a0c2-5f00-7000-8000-000000000001',
    officerId: 'cb-nguyen-van-a',
    ticket: 'A015',
    dossierIds: ['000.00.12.H26-251124-0001'],
    startedAt: ts,
    endedAt: ts + 240_000,
    reason: 'rated',
    rated: true,
  },
  'evt/presence': {
    ...env(1, '0193a0c2-6000-7000-8000-000000000001'),
    kind: 'session',
    state: 'signed_in',
    officerId: 'cb-nguyen-van-a',
    source: 'badge',
  },
  'evt/expression': {
    ...env(8, '0193a0c2-6000-7000-8000-000000000008'),
    visitId: '0193a0c2-5f00-7000-8000-000000000001',
    officerId: 'cb-nguyen-van-a',
    startedAt: ts,
    endedAt: ts + 240_000,
    frames: 120,
    exitFrames: 18,
    mean: probs,
    exit: probs,
    satisfactionIndex: 0.78,
    confidence: 0.6,
  },
  telemetry: {
    ...device,
    ts,
    uptimeS: 3600,
    cpuTempC: 51.2,
    load1: 0.4,
    memUsedMb: 310,
    memTotalMb: 3800,
    camera: { state: 'running', fps: 5, inferenceMs: 38, error: null },
    outbox: { depth: 0, capacity: 100_000, oldestTs: null },
    hid: [{ role: 'keypad', state: 'connected', name: 'USB Satisfaction Keypad' }],
    ignoredPresses: 2,
  },
  config: { v: 1, version: 3, ts, settings: { scale: 'keypad4', ratingTimeoutMs: 20_000 } },
  ack: { v: 1, ts, eventIds: ['0193a0c2-6000-7000-8000-000000000007'] },
  'cmd/restart': { v: 1, cmdId: '0193a0c2-7000-7000-8000-000000000001', ts, args: {} },
  'cmd/reload-config': { v: 1, cmdId: '0193a0c2-7000-7000-8000-000000000002', ts },
  'cmd/self-test': { v: 1, cmdId: '0193a0c2-7000-7000-8000-000000000003', ts, args: { flashKeypad: true } },
  'cmd/restart/res': {
    v: 1,
    cmdId: '0193a0c2-7000-7000-8000-000000000001',
    ts,
    ok: true,
    result: null,
    error: null,
  },
  'cmd/reload-config/res': {
    v: 1,
    cmdId: '0193a0c2-7000-7000-8000-000000000002',
    ts,
    ok: true,
    result: { version: 3 },
    error: null,
  },
  'cmd/self-test/res': {
    v: 1,
    cmdId: '0193a0c2-7000-7000-8000-000000000003',
    ts,
    ok: false,
    result: { keypad: true, camera: false },
    error: 'camera: no frame within 5 s',
  },
};
