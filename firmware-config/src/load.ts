import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { AgentConfig, type AgentConfigInput } from './config-schema.js';
import { ConfigFileError, listIssues } from './issues.js';
import { migrateConfig } from './migrate.js';

/** Validates an already-parsed document (migrating older versions first). */
export function parseAgentConfig(data: unknown, source = 'config'): AgentConfig {
  const { doc } = migrateConfig(data);
  const r = AgentConfig.safeParse(doc);
  if (!r.success) throw new ConfigFileError(source, listIssues(r.error));
  return r.data;
}

/** Reads a `.yaml`/`.yml` or `.json` device config file; throws listing every bad key or field. */
export function loadAgentConfig(path: string): AgentConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigFileError(path, [
      { path: '(root)', message: `cannot read file: ${(e as Error).message}` },
    ]);
  }
  let data: unknown;
  try {
    data = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text, { uniqueKeys: true });
  } catch (e) {
    throw new ConfigFileError(path, [{ path: '(root)', message: `cannot parse: ${(e as Error).message}` }]);
  }
  return parseAgentConfig(data, path);
}

/** For code that builds a config (simulator, tests): same validation, no file. */
export function defineAgentConfig(input: AgentConfigInput): AgentConfig {
  return parseAgentConfig(input, 'inline config');
}
