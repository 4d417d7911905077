/**
 * Renders the kiosk's spoken prompts with espeak-ng and encodes them as Opus in Ogg with ffmpeg.
 * Run it after changing a prompt text (`npm run render-prompts -w @onestop/edge-agent`) and commit
 * `assets/prompts/`: the counter plays the files and never needs a TTS engine at run time.
 *
 * Needs Debian's `espeak-ng` (Vietnamese voice `vi`) and `ffmpeg` with libopus.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PROMPT_DIR, type PromptManifest, sha256 } from '../src/kiosk/audio.js';
import { PROMPTS } from '../src/kiosk/prompts.js';

/** Slower than espeak's 175 wpm default: the listeners are often elderly. */
const WORDS_PER_MINUTE = '140';
/** 16 kbit/s Opus is clear for speech and keeps a 5-second prompt near 10 KB. */
const FFMPEG_ARGS = [
  ['-hide_banner', '-loglevel', 'error', '-i', 'pipe:0'],
  ['-ac', '1', '-ar', '16000', '-c:a', 'libopus', '-b:a', '16k', '-application', 'voip'],
  // bitexact: no encoder tag, a fixed Ogg serial number, so re-rendering the same text is byte-identical.
  ['-map_metadata', '-1', '-fflags', '+bitexact', '-flags:a', '+bitexact', '-f', 'ogg', 'pipe:1'],
].flat();

function need(tool: string, versionFlag: string, hint: string): void {
  try {
    execFileSync(tool, [versionFlag], { stdio: 'ignore' });
  } catch {
    throw new Error(`${tool} is missing: ${hint}`);
  }
}

need('espeak-ng', '--version', 'apt-get install -y espeak-ng');
need('ffmpeg', '-version', 'apt-get install -y ffmpeg');

const dir = fileURLToPath(PROMPT_DIR);
mkdirSync(dir, { recursive: true });
// Stale renderings of removed prompts would otherwise stay committed and served-looking.
for (const f of readdirSync(dir)) if (f.endsWith('.ogg')) rmSync(`${dir}/${f}`);

const manifest: PromptManifest = { format: 'Ogg Opus, 16 kHz mono, 16 kbit/s, espeak-ng', prompts: [] };
for (const p of PROMPTS) {
  const wav = execFileSync('espeak-ng', ['-v', p.voice, '-s', WORDS_PER_MINUTE, '--stdout', p.text]);
  const ogg = execFileSync('ffmpeg', FFMPEG_ARGS, { input: wav, maxBuffer: 16 * 1024 * 1024 });
  writeFileSync(`${dir}/${p.file}`, ogg);
  manifest.prompts.push({ ...p, sha256: sha256(ogg), bytes: ogg.byteLength });
  console.log(`${p.file}\t${ogg.byteLength} B\t${p.text}`);
}
writeFileSync(`${dir}/manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`);
const total = manifest.prompts.reduce((n, p) => n + p.bytes, 0);
console.log(`${manifest.prompts.length} prompts, ${total} bytes in ${dir}`);
