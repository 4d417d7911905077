// The agent of a test release, started by the launcher in update.test.ts: the real agent from the
// workspace sources (runAgent, as `onestop agent` runs it), with a logger that cuts the power —
// SIGKILL to the launcher and to itself — at the update step named by ONESTOP_TEST_CRASH_AT.
import pino from 'pino';
import { runAgent } from '../main.js';

const configPath = process.argv[process.argv.indexOf('--config') + 1]!;
const crashAt = process.env.ONESTOP_TEST_CRASH_AT;
const release = process.env.ONESTOP_RELEASE;
const sink = {
  write(line: string) {
    if (crashAt && line.includes(`"update":"${crashAt}"`)) {
      process.stdout.write(`CRASH ${crashAt} ${release}\n`);
      process.kill(process.ppid, 'SIGKILL');
      process.kill(process.pid, 'SIGKILL');
    }
    if (line.includes('"update":')) process.stdout.write(line);
  },
};
await runAgent(configPath, { logger: pino({ level: 'info', base: { release } }, sink) });
process.stdout.write(`RUNNING ${release}\n`);
