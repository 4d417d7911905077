// Bundles the dashboard's browser modules after `tsc -b` (see src/assets/bundle.ts): one
// definition of how they are built, used by this step and by the server run from sources.
import { writeClientModules } from '../dist/assets/bundle.js';

for (const file of await writeClientModules()) console.log(`dashboard client: ${file}`);
