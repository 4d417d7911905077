/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The kiosk page's script, bundled for the browser by esbuild (`kiosk/bundle.ts`). Only types are
 * imported from the agent: `Screen` is the state machine's own union, so a screen added there
 * fails the exhaustive switch below at compile time instead of showing nothing at a counter.
 */
import type { NoticeCode, Screen } from '../../counter/types.js';
import { KIOSK_CONFIG_ID, type KioskClientConfig } from '../client-config.js';
import type { KioskLink, KioskView } from '../view.js';

const config = JSON.parse(document.getElementById(KIOSK_CONFIG_ID)?.textContent ?? '{}') as KioskClientConfig;
const T = config.text;
const LANG = config.lang;
const main = byId('main');
const linkBanner = byId('link');
const voice = byId('voice') as HTMLAudioElement;
const toggle = byId('voice-toggle');
const officerBar = byId('officer');

const NOTICE: Record<NoticeCode, string> = {
  scan_rejected: T.scanRejected,
  badge_unknown: T.badgeUnknown,
  signed_in: T.signedIn,
  signed_out: T.signedOut,
  no_visit: T.noVisit,
  not_recorded: T.notRecorded,
  dossier_attached: T.dossierAttached,
};
/** Why the counter is not talking to the centre; ratings are still kept on the device. */
const LINK: Record<KioskLink, string | null> = {
  online: null,
  offline: T.notConnected,
  withdrawn: T.withdrawn,
};

let chosen = new Set<string>();
let voiceOn = config.voice;
let lastKind: Screen['kind'] | null = null;
let lastPrompt: string | null = null;

function byId(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`kiosk page has no #${id}`);
  return el;
}

function unreachable(x: never): never {
  throw new Error(`unknown screen ${JSON.stringify(x)}`);
}

const esc = (s: unknown): string =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

function showVoice(): void {
  toggle.textContent = voiceOn ? T.voiceOn : T.voiceOff;
  toggle.setAttribute('aria-pressed', String(voiceOn));
}

/** The spoken prompt of a screen, if it has one. */
function promptFor(v: KioskView): keyof KioskClientConfig['audio'] | null {
  const s = v.screen;
  switch (s.kind) {
    case 'rating':
      return `rate-${v.scale}`;
    case 'reasons':
    case 'thanks':
      return s.kind;
    case 'idle':
    case 'visit':
    case 'notice':
      return null;
    default:
      return unreachable(s);
  }
}

function speak(key: keyof KioskClientConfig['audio'] | null): void {
  lastPrompt = key;
  document.body.dataset.prompt = key ?? '';
  const url = key ? config.audio[key] : undefined;
  // A screen without a prompt lets the last one finish: "thank you" may outlast its screen.
  if (!voiceOn || !url) return;
  voice.pause();
  voice.src = url;
  voice.play().then(
    () => delete document.body.dataset.voiceError,
    (e: Error) => {
      document.body.dataset.voiceError = e.name;
    },
  );
}

// Turning the voice on replays the current prompt: that is how a citizen who cannot read asks for it.
toggle.addEventListener('click', () => {
  voiceOn = !voiceOn;
  showVoice();
  if (voiceOn) speak(lastPrompt as keyof KioskClientConfig['audio'] | null);
  else voice.pause();
});

const post = (path: string, body: unknown) =>
  fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

function officerLine(v: KioskView): string {
  return v.officer
    ? `<p class="meta">${T.officer}: <b>${esc(v.officer.name)}</b></p>`
    : `<p class="meta muted">${T.noOfficer}</p>`;
}

function dossiers(ids: readonly string[]): string {
  return ids.length ? `<p class="meta">${T.dossier}: <b>${ids.map(esc).join(', ')}</b></p>` : '';
}

/** Draws the screen and wires its buttons. */
function draw(v: KioskView): void {
  const s = v.screen;
  switch (s.kind) {
    case 'rating': {
      const buttons = v.levels
        .map((l) => `<button class="lv tone-${l.tone}" data-level="${l.level}">${esc(l[LANG])}</button>`)
        .join('');
      main.innerHTML = `${officerLine(v)}${dossiers(s.dossierIds)}<p class="big">${T.ratePrompt}</p><div id="levels">${buttons}</div>`;
      for (const b of main.querySelectorAll<HTMLElement>('.lv'))
        b.addEventListener('click', () => void post('api/rate', { level: Number(b.dataset.level) }));
      return;
    }
    case 'reasons': {
      const reasons = v.reasons
        .map(
          (r) =>
            `<button class="reason" aria-pressed="${chosen.has(r.code)}" data-code="${esc(r.code)}">${esc(r[LANG])}</button>`,
        )
        .join('');
      main.innerHTML = `<p class="big">${T.reasonsPrompt}</p><div>${reasons}</div><div><button class="act" id="send">${T.send}</button><button class="act" id="skip">${T.skip}</button></div>`;
      for (const b of main.querySelectorAll<HTMLElement>('.reason'))
        b.addEventListener('click', () => {
          const c = b.dataset.code ?? '';
          if (chosen.has(c)) chosen.delete(c);
          else chosen.add(c);
          b.setAttribute('aria-pressed', String(chosen.has(c)));
        });
      byId('send').addEventListener('click', () => void post('api/reasons', { codes: [...chosen] }));
      byId('skip').addEventListener('click', () => void post('api/reasons', { codes: [] }));
      return;
    }
    case 'thanks': {
      // Every visit's thanks offers its own comment code (signed for that visit), not only a
      // negative one's: praise and later second thoughts come from there too.
      const qr = v.commentUrl;
      main.innerHTML = `<p class="big">${T.thanks}</p>${qr ? `<p>${s.negative ? T.sorry : T.commentInvite}</p><div id="qr"></div>` : ''}`;
      if (qr)
        void fetch('qr.svg')
          .then((r) => (r.ok ? r.text() : ''))
          .then((svg) => {
            const q = document.getElementById('qr');
            if (q) q.innerHTML = svg;
          });
      return;
    }
    case 'notice':
      main.innerHTML = `<p class="big">${esc(NOTICE[s.code] ?? s.code)}</p>${s.code === 'signed_in' || s.code === 'signed_out' ? officerLine(v) : ''}`;
      return;
    case 'visit':
      main.innerHTML = `${officerLine(v)}${s.ticket ? `<p class="meta">${T.ticket}: <b>${esc(s.ticket)}</b></p>` : ''}${dossiers(s.dossierIds)}<p class="big">${T.visit}</p>`;
      return;
    case 'idle':
      main.innerHTML = `<p class="big">${T.idle}</p>${officerLine(v)}`;
      return;
    default:
      unreachable(s);
  }
}

/**
 * The officer's side: start and end a visit by touch, for counters without a scanner or an
 * officer key on the keypad. Shown only while an officer is signed in.
 */
function drawOfficer(v: KioskView): void {
  const c = v.officerControls;
  officerBar.hidden = c === null;
  if (!c) {
    officerBar.innerHTML = '';
    return;
  }
  const button = (action: string, label: string, on: boolean) =>
    `<button type="button" data-action="${action}"${on ? '' : ' disabled'}>${label}</button>`;
  officerBar.innerHTML = `<span>${T.officerControls}:</span>${button('start-visit', T.startVisit, c.startVisit)}${button('end-visit', T.endVisit, c.endVisit)}`;
  for (const b of officerBar.querySelectorAll<HTMLButtonElement>('button'))
    b.addEventListener('click', () => void post('api/officer', { action: b.dataset.action }));
}

function render(v: KioskView): void {
  const s = v.screen;
  if (s.kind !== 'reasons') chosen = new Set();
  draw(v);
  drawOfficer(v);
  document.body.dataset.screen = s.kind;
  const banner = LINK[v.link];
  document.body.dataset.link = v.link;
  linkBanner.hidden = banner === null;
  linkBanner.textContent = banner ?? '';
  // Speak on a change of screen only: the SSE keep-alive re-sends the same view every 15 s.
  if (s.kind !== lastKind) {
    lastKind = s.kind;
    if (s.kind === 'idle') {
      voiceOn = config.voice; // the next citizen starts afresh
      showVoice();
    }
    speak(promptFor(v));
  }
}

const es = new EventSource('events');
es.addEventListener('view', (e) => render(JSON.parse((e as MessageEvent<string>).data) as KioskView));
// The agent is gone (restarting, crashed): its last screen must not go on offering buttons whose
// touches nobody receives. EventSource reconnects by itself; the next view redraws live buttons.
es.onerror = () => {
  document.body.dataset.screen = 'offline';
  linkBanner.hidden = false;
  linkBanner.textContent = T.offline;
  for (const el of [main, officerBar])
    for (const b of el.querySelectorAll<HTMLButtonElement>('button')) b.disabled = true;
};
