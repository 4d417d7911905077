import { KIOSK_CONFIG_ID, KIOSK_SCRIPT_PATH, type KioskClientConfig } from './client-config.js';
import { KIOSK_TEXT, type Lang } from './i18n.js';

/** The spoken prompts and the voice default, as the page's script receives them. */
export type PageOptions = Pick<KioskClientConfig, 'audio' | 'voice'>;

const CSS = `
*{box-sizing:border-box}html,body{margin:0;height:100%;background:#000;color:#fff;font-family:"Noto Sans","DejaVu Sans",Arial,sans-serif}
body{display:flex;flex-direction:column;font-size:clamp(16px,min(2.3vw,3.6vh),34px);line-height:1.25}p{margin:.15em 0}
header{display:flex;justify-content:space-between;align-items:center;padding:.4em 1em;background:#111;border-bottom:4px solid #ffd400}
h1{margin:0;font-size:1.15em;color:#ffd400}header>div{display:flex;flex-wrap:nowrap;align-items:center}
#lang,#voice-toggle{font:inherit;font-size:.8em;padding:.3em .8em;background:#fff;color:#000;border:0;border-radius:.3em;min-height:64px;margin-left:.4em}
#voice-toggle[aria-pressed=false]{background:#444;color:#fff}
main{flex:1;min-height:0;display:flex;flex-direction:column;justify-content:center;align-items:center;padding:.6em 1em;text-align:center;gap:.4em;overflow:auto}
.big{font-size:1.6em;font-weight:700}.muted{color:#ddd}
.meta{font-size:.9em;color:#fff}.meta b{color:#ffd400}
#levels{display:flex;gap:.5em;width:100%;justify-content:center;flex-wrap:wrap}
.lv{flex:1 1 0;min-width:6em;min-height:max(64px,3.6em);font:inherit;font-weight:700;font-size:1.1em;border:4px solid #fff;border-radius:.4em;cursor:pointer;color:#000;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:.2em;padding:.3em;overflow-wrap:anywhere}
.lv svg{width:2.4em;height:2.4em}
#counter{color:#fff;font-weight:700;white-space:nowrap}#counter:not(:empty)::before{content:' · '}
#countdown{font-size:1em;color:#ffd400;font-weight:700}
.recorded b{color:#ffd400}
.tone-very-positive{background:#3ddc84}.tone-positive{background:#b5e655}.tone-neutral{background:#ffd400}.tone-negative{background:#ff5c5c}
.reason{font:inherit;min-height:max(64px,3em);padding:.4em 1em;margin:.2em;border:3px solid #fff;background:#222;color:#fff;border-radius:.4em}
.reason[aria-pressed=true]{background:#ffd400;color:#000}
.act{font:inherit;font-weight:700;min-height:max(64px,3em);padding:.4em 1.6em;border:0;border-radius:.4em;background:#fff;color:#000;margin:.3em}
#undo{width:100%;text-align:center}#change{font-size:1.3em;min-width:8em}#relevel{width:100%}
#qr svg{width:min(40vh,60vw);height:auto;background:#fff;padding:.4em}
#link{padding:.4em 1em;background:#ff5c5c;color:#000;font-weight:700;text-align:center}
button:focus-visible,a:focus-visible{outline:4px solid #ffd400;outline-offset:2px}
main button:disabled,#officer button:disabled{opacity:.35;cursor:default}
#officer{display:flex;gap:.5em;align-items:center;justify-content:flex-end;padding:.3em 1em;background:#1a1a1a;border-top:2px solid #444;font-size:.75em}
#officer[hidden],footer[hidden]{display:none}#officer button{font:inherit;min-height:48px;padding:.3em 1em;border:2px solid #fff;border-radius:.3em;background:#333;color:#fff}
footer{padding:.4em 1em;background:#111;font-size:.6em;color:#fff;border-top:2px solid #444}
@media (orientation:portrait){#levels{flex-direction:column;align-items:stretch;flex:1;max-height:70vh}.lv{flex-direction:row;justify-content:flex-start;gap:.6em;font-size:1.4em;padding:.2em .8em}.lv svg{width:2.6em;height:2.6em;flex:none}main{justify-content:flex-start}}
@media (max-height:420px){.lv svg{display:none}#title,#counter::before{display:none}header{padding:.2em .6em}#lang,#voice-toggle{min-height:44px}.big{font-size:1.2em}main{gap:.15em;padding:.3em .6em}.meta{font-size:.8em}footer{font-size:.5em;padding:.2em .6em}.reason,.act{min-height:44px;padding:.15em .6em;margin:.1em}main>p{font-size:.85em}main>p.big{font-size:1.1em}#qr svg{width:30vh;padding:.2em}}
`;

/**
 * The kiosk page: one static document and its bundled script (`client/main.ts`, served as
 * `kiosk.js`); everything else arrives over SSE as a KioskView.
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
  const config: KioskClientConfig = { lang, text: t, audio: opts.audio, voice: opts.voice };
  // Data, not code: `<` escaped so that no text can close the block early.
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${t.title}</title><style>${CSS}</style></head>
<body>
<header><h1><span id="title">${t.title}</span><span id="counter"></span></h1><div><button id="voice-toggle" type="button" aria-pressed="${opts.voice}">${opts.voice ? t.voiceOn : t.voiceOff}</button><a href="${otherHref}"><button id="lang" type="button" tabindex="-1">${t.language}</button></a></div></header>
<div id="link" role="status" hidden></div>
<main id="main" aria-live="polite"><p class="big">${t.idle}</p></main>
<nav id="officer" aria-label="${t.officerControls}" hidden></nav>
<footer id="privacy" hidden>${t.privacy}</footer>
<audio id="voice" preload="none"></audio>
<script type="application/json" id="${KIOSK_CONFIG_ID}">${json}</script>
<script type="module" src="${KIOSK_SCRIPT_PATH}"></script>
</body></html>`;
}
