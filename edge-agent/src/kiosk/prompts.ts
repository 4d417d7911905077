import { LEVEL_LABELS, RatingScale } from '@onestop/protocol';
import { KIOSK_TEXT, type Lang } from './i18n.js';

/**
 * The spoken prompts, for citizens who cannot read the screen (elderly, low vision). They are
 * pre-rendered by `scripts/render-prompts.ts` into committed files so the counter needs no TTS at
 * run time; `prompts.test.ts` fails when a text here no longer matches what was rendered.
 */
export type PromptKey = `rate-${RatingScale}` | 'reasons' | 'thanks';

export interface PromptSpec {
  /** File name under `assets/prompts/`, also the last URL segment: `vi-rate-keypad4.ogg`. */
  file: string;
  lang: Lang;
  key: PromptKey;
  /** espeak-ng voice that renders it. */
  voice: string;
  text: string;
}

const VOICES: Record<Lang, string> = { vi: 'vi', en: 'en-gb' };

/** "a, b, c or d": levels are read best first, as the buttons are laid out. */
function spokenList(lang: Lang, items: string[]): string {
  const or = lang === 'vi' ? 'hay' : 'or';
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')}, ${or} ${items.at(-1)}`;
}

function spokenText(lang: Lang, key: PromptKey): string {
  const t = KIOSK_TEXT[lang];
  if (key === 'reasons')
    return lang === 'vi'
      ? `${t.reasonsPrompt} Xin chọn lý do, rồi chạm nút ${t.send}.`
      : `${t.reasonsPrompt} Please choose the reasons, then touch ${t.send}.`;
  if (key === 'thanks') return t.thanks;
  const scale = RatingScale.parse(key.slice('rate-'.length));
  const labels = Object.entries(LEVEL_LABELS[scale])
    .sort(([a], [b]) => Number(b) - Number(a))
    .map(([, l]) => l[lang]);
  return lang === 'vi'
    ? `Xin quý khách đánh giá mức độ hài lòng: ${spokenList(lang, labels)}.`
    : `Please rate our service: ${spokenList(lang, labels)}.`;
}

export const PROMPT_KEYS: readonly PromptKey[] = [
  ...RatingScale.options.map((s) => `rate-${s}` as const),
  'reasons',
  'thanks',
];

export const PROMPTS: readonly PromptSpec[] = (['vi', 'en'] as const).flatMap((lang) =>
  PROMPT_KEYS.map((key) => ({
    file: `${lang}-${key}.ogg`,
    lang,
    key,
    voice: VOICES[lang],
    text: spokenText(lang, key),
  })),
);
