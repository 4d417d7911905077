import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { stringify } from 'yaml';
import type { AgentConfig, AgentConfigInput } from './config-schema.js';
import { parseAgentConfig } from './load.js';

/**
 * Writes a device config file that the loader will accept: validated first (a file the agent
 * would refuse is never written), serialised by the YAML library (no hand-made YAML to break on a
 * quote in a password), with mode 0600 (it holds the broker password), and atomically: written
 * beside, synced, then renamed, so that a power cut leaves the old file or the new one.
 * What is written is the document as given, so the file stays as short as the technician's own
 * would be; the loader fills in the defaults. `exclusive` refuses to replace an existing file.
 */
export function writeAgentConfigFile(
  path: string,
  input: AgentConfigInput,
  opts: { exclusive?: boolean; header?: string } = {},
): AgentConfig {
  const config = parseAgentConfig(input, path);
  const text = /\.json$/i.test(path)
    ? `${JSON.stringify(input, null, 2)}\n`
    : `${opts.header ? `${opts.header.replace(/^/gm, '# ')}\n` : ''}${stringify(input)}`;
  writePrivateFile(path, text, opts.exclusive === true);
  return config;
}

/** A secret file (config, CA key): 0600 from its creation, synced, renamed into place. */
export function writePrivateFile(path: string, text: string, exclusive = false, mode = 0o600): void {
  // 'wx' fails on an existing file: checked first, so that nothing is half-replaced.
  if (exclusive) closeSync(openSync(path, 'wx', mode));
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fd = openSync(tmp, 'w', mode);
    try {
      // The mode given to open is ignored when the file was there already: set it in any case.
      fchmodSync(fd, mode);
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    if (exclusive) rmSync(path, { force: true });
    throw e;
  }
}
