import { KIOSK_TEXT, type Lang } from './i18n.js';
import type { PromptKey } from './prompts.js';

export interface PageOptions {
  /** Page-relative URLs of the spoken prompts in the page's language. */
  audio: Partial<Record<PromptKey, string>>;
  /** Whether prompts are spoken when a visit starts; a citizen can toggle it for their visit. */
  voice: boolean;
}

const CSS = `
*{box-sizing:border-box}html,body{margin:0;height:100%;background:#000;color:#fff;font-family:"Noto Sans","DejaVu Sans",Arial,sans-serif}
body{display:flex;flex-direction:column;font-size:clamp(16px,min(2.6vw,4.2vh),34px);line-height:1.25}p{margin:.15em 0}
header{display:flex;justify-content:space-between;align-items:center;padding:.4em 1em;background:#111;border-bottom:4px solid #ffd400}
h1{margin:0;font-size:1.3em;color:#ffd400}
#lang,#voice-toggle{font:inherit;font-size:.8em;padding:.3em .8em;background:#fff;color:#000;border:0;border-radius:.3em;min-height:48px;margin-left:.4em}
#voice-toggle[aria-pressed=false]{background:#444;color:#fff}
main{flex:1;display:flex;flex-direction:column;justify-content:center;align-items:center;padding:.6em 1em;text-align:center;gap:.4em;overflow:auto}
.big{font-size:1.6em;font-weight:700}.muted{color:#ddd}
.meta{font-size:.9em;color:#fff}.meta b{color:#ffd400}
#levels{display:flex;gap:.5em;width:100%;justify-content:center;flex-wrap:wrap}
.lv{flex:1 1 0;min-width:6em;min-height:3.6em;font:inherit;font-weight:700;font-size:1.1em;border:4px solid #fff;border-radius:.4em;cursor:pointer;color:#000}
.tone-very-positive{background:#3ddc84}.tone-positive{background:#b5e655}.tone-neutral{background:#ffd400}.tone-negative{background:#ff5c5c}
.reason{font:inherit;min-height:3em;padding:.4em 1em;margin:.2em;border:3px solid #fff;background:#222;color:#fff;border-radius:.4em}
.reason[aria-pressed=true]{background:#ffd400;color:#000}
.act{font:inherit;font-weight:700;min-height:3em;padding:.4em 1.6em;border:0;border-radius:.4em;background:#fff;color:#000;margin:.3em}
#qr svg{width:min(40vh,60vw);height:auto;background:#fff;padding:.4em}
footer{padding:.5em 1em;background:#111;font-size:.7em;color:#fff;border-top:2px solid #444}
`;

/**
 * The kiosk page: one static document, everything else arrives over SSE as a KioskView.
 *
 * Spoken prompts start by themselves when a screen opens, before anyone has touched the page, so
 * Chromium's autoplay policy would refuse them: the kiosk browser must be launched with
 * `--kiosk --autoplay-policy=no-user-gesture-required`. Without that flag the page still works
 * silently and marks `body[data-voice-error]` so the fault is visible in devtools and tests.
 */
export function renderPage(lang: Lang, opts: PageOptions): string {
  const t = KIOSK_TEXT[lang];
  const other: Lang = lang === 'vi' ? 'en' : 'vi';
  const otherHref = `?lang=${other}${opts.voice ? '' : '&amp;voice=0'}`;
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${t.title}</title><style>${CSS}</style></head>
<body>
<header><h1>${t.title}</h1><div><button id="voice-toggle" type="button" aria-pressed="${opts.voice}">${opts.voice ? t.voiceOn : t.voiceOff}</button><a href="${otherHref}"><button id="lang" type="button" tabindex="-1">${t.language}</button></a></div></header>
<main id="main" aria-live="polite"><p class="big">${t.idle}</p></main>
<footer id="privacy">${t.privacy}</footer>
<audio id="voice" preload="none"></audio>
<script type="module">
const T = ${JSON.stringify(t)};
const LANG = ${JSON.stringify(lang)};
const main = document.getElementById('main');
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
const NOTICE = { scan_rejected: T.scanRejected, badge_unknown: T.badgeUnknown, signed_in: T.signedIn, signed_out: T.signedOut,
  no_visit: T.noVisit, not_recorded: T.notRecorded, dossier_attached: T.dossierAttached };
let chosen = new Set();
const AUDIO = ${JSON.stringify(opts.audio)};
const VOICE_DEFAULT = ${opts.voice};
const voice = document.getElementById('voice');
const toggle = document.getElementById('voice-toggle');
let voiceOn = VOICE_DEFAULT, lastKind = null, lastPrompt = null;
function showVoice() { toggle.textContent = voiceOn ? T.voiceOn : T.voiceOff; toggle.setAttribute('aria-pressed', String(voiceOn)); }
function promptFor(v) { const k = v.screen.kind; return k === 'rating' ? 'rate-' + v.scale : k === 'reasons' || k === 'thanks' ? k : null; }
function speak(key) {
  lastPrompt = key; document.body.dataset.prompt = key || '';
  const url = key && AUDIO[key];
  // A screen without a prompt lets the last one finish: "thank you" may outlast its screen.
  if (!voiceOn || !url) return;
  voice.pause(); voice.src = url;
  voice.play().then(() => { delete document.body.dataset.voiceError; }, (e) => { document.body.dataset.voiceError = e.name; });
}
// Turning the voice on replays the current prompt: that is how a citizen who cannot read asks for it.
toggle.addEventListener('click', () => { voiceOn = !voiceOn; showVoice(); if (voiceOn) speak(lastPrompt); else voice.pause(); });
const post = (path, body) => fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
function officerLine(v) {
  return v.officer ? '<p class="meta">' + T.officer + ': <b>' + esc(v.officer.name) + '</b></p>' : '<p class="meta muted">' + T.noOfficer + '</p>';
}
function dossiers(ids) { return ids && ids.length ? '<p class="meta">' + T.dossier + ': <b>' + ids.map(esc).join(', ') + '</b></p>' : ''; }
function render(v) {
  const s = v.screen;
  if (s.kind !== 'reasons') chosen = new Set();
  if (s.kind === 'rating') {
    main.innerHTML = officerLine(v) + dossiers(s.dossierIds) + '<p class="big">' + T.ratePrompt + '</p><div id="levels">' +
      v.levels.map((l) => '<button class="lv tone-' + l.tone + '" data-level="' + l.level + '">' + esc(l[LANG]) + '</button>').join('') + '</div>';
    main.querySelectorAll('.lv').forEach((b) => b.addEventListener('click', () => post('api/rate', { level: Number(b.dataset.level) })));
  } else if (s.kind === 'reasons') {
    main.innerHTML = '<p class="big">' + T.reasonsPrompt + '</p><div>' + v.reasons.map((r) =>
      '<button class="reason" aria-pressed="' + chosen.has(r.code) + '" data-code="' + esc(r.code) + '">' + esc(r[LANG]) + '</button>').join('') +
      '</div><div><button class="act" id="send">' + T.send + '</button><button class="act" id="skip">' + T.skip + '</button></div>';
    main.querySelectorAll('.reason').forEach((b) => b.addEventListener('click', () => {
      const c = b.dataset.code; chosen.has(c) ? chosen.delete(c) : chosen.add(c); b.setAttribute('aria-pressed', String(chosen.has(c)));
    }));
    document.getElementById('send').addEventListener('click', () => post('api/reasons', { codes: [...chosen] }));
    document.getElementById('skip').addEventListener('click', () => post('api/reasons', { codes: [] }));
  } else if (s.kind === 'thanks') {
    main.innerHTML = '<p class="big">' + T.thanks + '</p>' + (s.negative && v.commentUrl ? '<p>' + T.sorry + '</p><div id="qr"></div>' : '');
    if (s.negative && v.commentUrl) fetch('qr.svg').then((r) => r.ok ? r.text() : '').then((svg) => { const q = document.getElementById('qr'); if (q) q.innerHTML = svg; });
  } else if (s.kind === 'notice') {
    main.innerHTML = '<p class="big">' + esc(NOTICE[s.code] || s.code) + '</p>' + (s.code === 'signed_in' || s.code === 'signed_out' ? officerLine(v) : '');
  } else if (s.kind === 'visit') {
    main.innerHTML = officerLine(v) + (s.ticket ? '<p class="meta">' + T.ticket + ': <b>' + esc(s.ticket) + '</b></p>' : '') + dossiers(s.dossierIds) + '<p class="big">' + T.visit + '</p>';
  } else {
    main.innerHTML = '<p class="big">' + T.idle + '</p>' + officerLine(v);
  }
  document.body.dataset.screen = s.kind;
  // Speak on a change of screen only: the SSE keep-alive re-sends the same view every 15 s.
  if (s.kind !== lastKind) {
    lastKind = s.kind;
    if (s.kind === 'idle') { voiceOn = VOICE_DEFAULT; showVoice(); } // the next citizen starts afresh
    speak(promptFor(v));
  }
}
const es = new EventSource('events');
es.addEventListener('view', (e) => render(JSON.parse(e.data)));
es.onerror = () => { document.body.dataset.screen = 'offline'; };
</script>
</body></html>`;
}
