import type { z } from 'zod';

export interface ConfigIssue {
  path: string;
  message: string;
}

/** Every issue, not just the first: a technician fixes a file in one go, not one error per boot. */
export function listIssues(error: z.ZodError): ConfigIssue[] {
  return error.issues.map((i) => {
    const path = i.path.length > 0 ? i.path.join('.') : '(root)';
    if (i.code === 'unrecognized_keys') {
      return { path, message: `unknown key(s) ${i.keys.map((k) => `'${k}'`).join(', ')}` };
    }
    return { path, message: i.message };
  });
}

export class ConfigFileError extends Error {
  readonly file: string;
  readonly issues: ConfigIssue[];
  constructor(file: string, issues: ConfigIssue[]) {
    super(`${file} is invalid:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'ConfigFileError';
    this.file = file;
    this.issues = issues;
  }
}
