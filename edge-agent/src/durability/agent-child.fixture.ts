// A counter agent in its own process for durability.test.ts, which SIGKILLs it at random moments.
// Scripted citizens rate continuously; each rating is printed only once the outbox has committed
// it (`event.recorded`), which is the moment a real kiosk would say "recorded".
import { defineAgentConfig } from '@onestop/firmware-config';
import pino from 'pino';
import { startAgent } from '../agent/agent.js';
import { createVirtualInputs } from '../devices/create-inputs.js';

const [dataDir, unitId, mqttUrl, run, mode] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  'rate' | 'drain',
];
const logger = pino({ level: 'silent' });
const config = defineAgentConfig({
  schemaVersion: 2,
  device: { unitId, counterId: 'q01', deviceId: 'dur-q01' },
  mqtt: { url: mqttUrl, username: 'dur-q01', password: 'x' },
  dataDir,
  settings: { minPressIntervalMs: 0 },
  devices: { keypad: { profile: 'generic-keypad4-fkeys' }, scanner: { profile: 'generic-scanner-wedge' } },
  patterns: { ticket: '^K[0-9]+-[0-9]+$', dossierId: '^000\\..*$' },
});
const v = createVirtualInputs({ keypad: 'generic-keypad4-fkeys', scanner: 'generic-scanner-wedge' }, logger);
const agent = await startAgent(config, { inputs: v.inputs, logger, publisher: { ackTimeoutMs: 2_000 } });
const out = (line: string) => process.stdout.write(`${line}\n`);
agent.bus.on('event.recorded', ({ entry, event }) => {
  if (event.channel === 'evt/rating') out(`RECORDED ${entry.eventId} ${event.body.ticket}`);
});
agent.bus.on('mqtt.connected', () => out('CONNECTED'));

if (mode === 'drain') {
  await agent.bus.once('mqtt.connected', () => true, 10_000);
  while (agent.state().outbox.depth > 0) await new Promise((r) => setTimeout(r, 50));
  out('DRAINED');
  await agent.stop();
  process.exit(0);
}

for (let i = 0; ; i++) {
  v.scanner!.typeLine(`K${run}-${i}`);
  agent.input({ type: 'officer', action: 'end-visit' });
  v.keypad!.pressLevel(1 + (i % 4));
  await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
}
