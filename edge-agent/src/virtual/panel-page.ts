import type { DeviceProfile, KeyAction } from '@onestop/firmware-config';
import { type Lang, LEVEL_LABELS } from '@onestop/protocol';
import { PANEL_TEXT, type PanelText } from './panel-text.js';

export const PANEL_SCRIPT_PATH = 'panel.js';

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function actionLabel(p: Extract<DeviceProfile, { role: 'keypad' }>, a: KeyAction, t: PanelText, lang: Lang) {
  if (a === 'start-visit') return t.startVisit;
  if (a === 'end-visit') return t.endVisit;
  return LEVEL_LABELS[p.scale][a]?.[lang] ?? String(a);
}

/** One button per key of the keypad's profile, best level first, as the keypad is printed. */
function keypadButtons(keypad: DeviceProfile | null, t: PanelText, lang: Lang): string {
  if (keypad?.role !== 'keypad') return `<p>${t.noKeypad}</p>`;
  const rank = (a: KeyAction) => (typeof a === 'number' ? -a : 0);
  return Object.entries(keypad.keys)
    .sort(([, a], [, b]) => rank(a) - rank(b))
    .map(
      ([key, a]) =>
        `<button type="button" data-key="${esc(key)}">${esc(actionLabel(keypad, a, t, lang))} <small>[${esc(key)}]</small></button>`,
    )
    .join('');
}

function lineForm(
  id: 'scan' | 'badge',
  label: string,
  button: string,
  profile: DeviceProfile | null,
): string {
  if (!profile) return '';
  return `<form id="${id}"><label>${label}<br><input name="text" autocomplete="off" maxlength="128" required></label> <button>${button}</button> <small>${esc(profile.name)}</small></form>`;
}

/** The technician's panel: the configured devices' keys and the two keyboard-wedge readers. */
export function renderPanel(
  lang: Lang,
  devices: { keypad: DeviceProfile | null; scanner: DeviceProfile | null; badge: DeviceProfile | null },
): string {
  const t = PANEL_TEXT[lang];
  const other: Lang = lang === 'vi' ? 'en' : 'vi';
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${t.title}</title><style>
body{font-family:"Noto Sans","DejaVu Sans",Arial,sans-serif;margin:0;background:#fff;color:#000}
header{display:flex;justify-content:space-between;align-items:center;padding:.4em 1em;background:#222;color:#fff}
#virtual{background:#ffd400;padding:.6em 1em;font-weight:700;border-bottom:3px solid #000}
section{padding:.5em 1em}button{font:inherit;min-height:44px;margin:.2em;padding:.3em .8em}
input{font:inherit;width:min(30em,90vw)}#log{font-family:monospace;white-space:pre-wrap}
</style></head>
<body data-virtual="true">
<header><h1>${t.title}</h1><a href="?lang=${other}" style="color:#fff">${t.language}</a></header>
<div id="virtual" role="alert">${t.banner}</div>
<section><h2>${t.counter}</h2><p id="state">…</p></section>
<section><h2>${t.keypad}${devices.keypad ? ` <small>${esc(devices.keypad.name)}</small>` : ''}</h2>${keypadButtons(devices.keypad, t, lang)}</section>
<section><h2>${t.officerBar}</h2><button type="button" data-officer="start-visit">${t.kioskStart}</button><button type="button" data-officer="end-visit">${t.kioskEnd}</button></section>
<section>${lineForm('scan', t.scan, t.scanButton, devices.scanner)}</section>
<section>${lineForm('badge', t.badge, t.badgeButton, devices.badge)}</section>
<section><div id="log" role="status" data-sent="${t.sent}" data-refused="${t.refused}" data-officer="${t.officer}" data-none="${t.none}"></div></section>
<script type="module" src="${PANEL_SCRIPT_PATH}"></script>
</body></html>`;
}

/**
 * The panel's few lines of browser code, served as a file so that the page's CSP can forbid
 * inline scripts. Words come from the page's data attributes: one catalogue, in panel-text.ts.
 */
export const PANEL_SCRIPT = `const log = document.getElementById('log');
const say = (ok, what) => { log.textContent = (ok ? log.dataset.sent : log.dataset.refused) + ': ' + what + '\\n' + log.textContent.slice(0, 2000); };
async function post(path, body, what) {
  const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const j = await r.json().catch(() => ({}));
  say(r.ok, r.ok ? what : what + ' (' + (j.reason || r.status) + ')');
}
for (const b of document.querySelectorAll('button[data-key]'))
  b.addEventListener('click', () => post('api/key', { key: b.dataset.key }, b.dataset.key));
for (const b of document.querySelectorAll('button[data-officer]'))
  b.addEventListener('click', () => post('api/officer', { action: b.dataset.officer }, b.textContent));
for (const id of ['scan', 'badge']) {
  const f = document.getElementById(id);
  f?.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = f.elements.text.value.trim();
    void post('api/' + id, { text }, text);
    f.reset();
  });
}
const state = document.getElementById('state');
setInterval(async () => {
  const r = await fetch('api/state').catch(() => null);
  if (!r || !r.ok) return;
  const s = await r.json();
  state.textContent = s.screen + ' · ' + log.dataset.officer + ': ' + (s.officer ?? log.dataset.none);
}, 1000);
`;
