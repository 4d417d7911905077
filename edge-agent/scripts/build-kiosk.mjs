// Bundles the kiosk page's script after `tsc -b` (see src/kiosk/bundle.ts): one definition of
// how it is built, used by this step and by the server when it runs from sources.
import { writeKioskClient } from '../dist/kiosk/bundle.js';

console.log(`kiosk client: ${await writeKioskClient()}`);
