import type { KioskTextKey, Lang } from './i18n.js';
import type { PromptKey } from './prompts.js';

/**
 * What the server hands the page's script at load (a JSON block in the page, never executed):
 * the page's language and wording, the spoken prompts and the voice default. Shared by
 * `page.ts` (writer) and `client/main.ts` (reader) so that the two cannot drift.
 */
export interface KioskClientConfig {
  lang: Lang;
  text: Record<KioskTextKey, string>;
  /** Page-relative URLs of the spoken prompts in the page's language. */
  audio: Partial<Record<PromptKey, string>>;
  /** Whether prompts are spoken when a visit starts; a citizen can toggle it for their visit. */
  voice: boolean;
}

/** The id of the JSON block that carries the config. */
export const KIOSK_CONFIG_ID = 'kiosk-config';
/** Where the bundled client is served, relative to the page. */
export const KIOSK_SCRIPT_PATH = 'kiosk.js';
