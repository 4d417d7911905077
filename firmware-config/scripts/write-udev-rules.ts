// Regenerates udev/99-onestop-counter.rules from the built-in profiles and any profile folders
// given as arguments; a board gets its own from `onestop agent install`, by the same function.
import { writeFileSync } from 'node:fs';
import { udevRulesForProfileDirs } from '../src/udev.js';

const out = new URL('../udev/99-onestop-counter.rules', import.meta.url);
writeFileSync(out, udevRulesForProfileDirs(process.argv.slice(2)));
process.stdout.write(`wrote ${out.pathname}\n`);
