// Regenerates udev/99-onestop-counter.rules from the built-in profiles.
import { writeFileSync } from 'node:fs';
import { listProfiles, loadProfile } from '../src/profiles.js';
import { udevRules } from '../src/udev.js';

const out = new URL('../udev/99-onestop-counter.rules', import.meta.url);
writeFileSync(out, udevRules(listProfiles().map((n) => loadProfile(n))));
process.stdout.write(`wrote ${out.pathname}\n`);
