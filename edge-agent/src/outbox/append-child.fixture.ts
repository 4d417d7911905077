// Child process for outbox.test.ts: appends ratings as fast as it can, printing each eventId only
// after append() returned (the "shown as recorded" moment), until it is SIGKILLed.
import { Outbox } from './outbox.js';

const [dataDir, start] = process.argv.slice(2) as [string, string];
const outbox = new Outbox({
  dataDir,
  address: { unitId: 'trung-van', counterId: 'q03', deviceId: 'tv-q03-a' },
  capacity: 1_000_000,
  alertAt: 1000,
});
for (let i = Number(start); ; i++) {
  const e = outbox.append('evt/rating', {
    visitId: null,
    officerId: null,
    dossierIds: [],
    ticket: `T${i}`,
    scale: 'keypad4',
    level: 1 + (i % 4),
    source: 'keypad',
    reasons: [],
    responseMs: null,
  });
  process.stdout.write(`${e.eventId} ${e.seq}\n`);
  if (i % 50 === 0) await new Promise((r) => setImmediate(r));
}
