#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startLauncher } from './launcher.js';
import { installLayout } from './layout.js';

/**
 * `node launcher-main.js --root /var/lib/onestop-agent -- --config /etc/onestop/agent.yaml`:
 * what the systemd unit runs on a board that updates itself. Installed once with the CLI, outside
 * `releases/`, so that no release can break it.
 */
const { values, positionals } = parseArgs({
  options: {
    root: { type: 'string' },
    'poll-ms': { type: 'string' },
    'max-attempts': { type: 'string' },
    'stable-ms': { type: 'string' },
  },
  allowPositionals: true,
});
if (!values.root) {
  process.stderr.write(
    'usage: launcher-main.js --root DIR [--poll-ms N] [--stable-ms N] -- <agent arguments>\n',
  );
  process.exit(2);
}
const launcher = startLauncher({
  layout: installLayout(values.root),
  args: positionals,
  ...(values['poll-ms'] ? { pollMs: Number(values['poll-ms']) } : {}),
  ...(values['max-attempts'] ? { maxAttempts: Number(values['max-attempts']) } : {}),
  ...(values['stable-ms'] ? { stableMs: Number(values['stable-ms']) } : {}),
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => launcher.stop(signal));
process.exitCode = await launcher.done;
