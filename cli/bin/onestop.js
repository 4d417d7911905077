#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript (built by `npm ci` through the root `prepare`).
import('../dist/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('cli/dist/main.js')) {
    console.error('onestop: not built yet; run `npm run build` (npm ci does it for you)');
  } else {
    console.error(err);
  }
  process.exit(1);
});
