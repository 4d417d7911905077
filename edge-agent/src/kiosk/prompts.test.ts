import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPromptManifest, PROMPT_DIR, sha256 } from './audio.js';
import { PROMPTS } from './prompts.js';

const RERENDER =
  'texts changed? run `npm run render-prompts -w @onestop/edge-agent` and commit assets/prompts/';
const manifest = loadPromptManifest();

describe('committed spoken prompts', () => {
  it('were rendered from the current prompt texts', () => {
    const rendered = manifest.prompts.map(({ file, lang, key, voice, text }) => ({
      file,
      lang,
      key,
      voice,
      text,
    }));
    expect(rendered, RERENDER).toEqual(PROMPTS);
  });

  it.each(manifest.prompts.map((p) => [p.file, p] as const))('%s is the file the manifest names', (_, p) => {
    const data = readFileSync(new URL(p.file, PROMPT_DIR));
    expect(data.byteLength, RERENDER).toBe(p.bytes);
    expect(sha256(data), RERENDER).toBe(p.sha256);
    // An Ogg stream carrying Opus: what the route announces as audio/ogg; codecs=opus.
    expect(data.subarray(0, 4).toString('latin1')).toBe('OggS');
    expect(data.includes(Buffer.from('OpusHead'))).toBe(true);
  });

  it('ships no stray audio and stays small', () => {
    const files = readdirSync(PROMPT_DIR).filter((f) => f.endsWith('.ogg'));
    expect(files.sort()).toEqual(manifest.prompts.map((p) => p.file).sort());
    const total = manifest.prompts.reduce((n, p) => n + p.bytes, 0);
    expect(total).toBeLessThan(300 * 1024);
  });

  it('covers every scale in both languages, Vietnamese naming the four keypad levels', () => {
    const vi = PROMPTS.find((p) => p.file === 'vi-rate-keypad4.ogg')!;
    expect(vi.text).toBe(
      'Xin quý khách đánh giá mức độ hài lòng: Rất hài lòng, Hài lòng, Bình thường, hay Không hài lòng.',
    );
    expect(PROMPTS).toHaveLength(2 * 6);
  });
});
