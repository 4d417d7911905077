import { writeFileSync } from 'node:fs';
import { buildJsonSchema } from '../json-schema.js';

/** Writes the committed JSON Schema for integrators; a test checks it is up to date. */
const out = process.argv[2] ?? new URL('../../schema/onestop-v1.schema.json', import.meta.url).pathname;
writeFileSync(out, `${JSON.stringify(buildJsonSchema(), null, 2)}\n`);
console.log(`wrote ${out}`);
