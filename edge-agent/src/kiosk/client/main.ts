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
const counterLabel = byId('counter');
const privacy = byId('privacy');

const NOTICE: Record<NoticeCode, string> = {
  scan_rejected: T.scanRejected,
  badge_unknown: T.badgeUnknown,
  signed_in: T.signedIn,
  signed_out: T.signedOut,
  no_visit: T.noVisit,
  not_recorded: T.notRecorded,
  not_changed: T.notChanged,
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

/** The screen's dossiers, masked by the agent (`dossiersShown`): the screen faces the queue. */
function dossiers(ids: readonly string[]): string {
  return ids.length ? `<p class="meta">${T.dossier}: <b>${ids.map(esc).join(', ')}</b></p>` : '';
}

/**
 * A face for each tone, drawn with the word beside it: the level reads without colour (colour-
 * blind citizens) and without reading (the face alone). Mouths: wide smile, smile, flat, frown.
 */
const MOUTH: Record<KioskView['levels'][number]['tone'], string> = {
  'very-positive': 'M14 27 Q24 38 34 27 Z',
  positive: 'M15 29 Q24 35 33 29',
  neutral: 'M15 31 H33',
  negative: 'M15 34 Q24 26 33 34',
};
function face(tone: KioskView['levels'][number]['tone']): string {
  return `<svg viewBox="0 0 48 48" aria-hidden="true"><circle cx="24" cy="24" r="21" fill="#fff" stroke="#000" stroke-width="3"/><circle cx="17" cy="19" r="3"/><circle cx="31" cy="19" r="3"/><path d="${MOUTH[tone]}" fill="${tone === 'very-positive' ? '#000' : 'none'}" stroke="#000" stroke-width="3" stroke-linecap="round"/></svg>`;
}

/** The open prompt's countdown, redrawn each second from the time left when the view came. */
let countdown: { until: number; timer: number } | null = null;
function showCountdown(remainingMs: number | null): void {
  if (countdown) window.clearInterval(countdown.timer);
  countdown = null;
  const el = document.getElementById('countdown');
  if (!el || remainingMs === null) return;
  const until = performance.now() + remainingMs;
  const tick = () => {
    const s = Math.max(0, Math.ceil((until - performance.now()) / 1000));
    el.textContent = T.secondsLeft.replace('{s}', String(s));
  };
  tick();
  countdown = { until, timer: window.setInterval(tick, 1000) };
}

/** A button per level, best first: the face and the word. */
function levelButtons(v: KioskView): string {
  return v.levels
    .map(
      (l) =>
        `<button class="lv tone-${l.tone}" data-level="${l.level}">${face(l.tone)}<span>${esc(l[LANG])}</span></button>`,
    )
    .join('');
}

function wireLevels(): void {
  for (const b of main.querySelectorAll<HTMLElement>('.lv'))
    b.addEventListener('click', () => void post('api/rate', { level: Number(b.dataset.level) }));
}

/** Draws the screen and wires its buttons. */
function draw(v: KioskView): void {
  const s = v.screen;
  switch (s.kind) {
    case 'rating': {
      main.innerHTML = `${officerLine(v)}${dossiers(v.dossiersShown)}<p class="big">${T.ratePrompt}</p><p id="countdown" role="timer" aria-live="off"></p><div id="levels">${levelButtons(v)}</div>`;
      wireLevels();
      return;
    }
    case 'reasons': {
      const reasons = v.reasons
        .map(
          (r) =>
            `<button class="reason" aria-pressed="${chosen.has(r.code)}" data-code="${esc(r.code)}">${esc(r[LANG])}</button>`,
        )
        .join('');
      main.innerHTML = `<p class="big">${T.reasonsPrompt}</p><p id="countdown" role="timer" aria-live="off"></p><div>${reasons}</div><div><button class="act" id="send">${T.send}</button><button class="act" id="skip">${T.skip}</button></div>`;
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
      const level = v.levels.find((l) => l.level === s.level);
      const recorded =
        level && v.scale === s.scale
          ? `<p class="recorded">${T.recorded}: <b>${esc(level[LANG])}</b></p>`
          : '';
      // The undo window: "Đổi" opens the faces again on this screen; a touch there (or a key on
      // the keypad) replaces the rating before it leaves the device.
      const change =
        s.undoUntil === null
          ? ''
          : `<div id="undo"><button class="act" id="change" aria-controls="relevel" aria-expanded="false">${T.change}</button><p id="countdown" role="timer" aria-live="off"></p><div id="relevel" hidden><p>${T.changePrompt}</p><div id="levels">${levelButtons(v)}</div></div></div>`;
      main.innerHTML = `<p class="big">${T.thanks}</p>${recorded}${change}${qr ? `<p>${s.negative ? T.sorry : T.commentInvite}</p><div id="qr"></div>` : ''}`;
      if (s.undoUntil !== null) {
        wireLevels();
        const button = document.getElementById('change');
        button?.addEventListener('click', () => {
          byId('relevel').hidden = false;
          button.setAttribute('aria-expanded', 'true');
          // The faces take the button's place (a small keypad display has no room for both);
          // focus follows, so a keyboard or switch user lands on the choice.
          button.hidden = true;
          main.querySelector<HTMLElement>('.lv')?.focus();
        });
      }
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
      main.innerHTML = `${officerLine(v)}${s.ticket ? `<p class="meta">${T.ticket}: <b>${esc(s.ticket)}</b></p>` : ''}${dossiers(v.dossiersShown)}<p class="big">${T.visit}</p>`;
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

/**
 * The page in Vietnamese for the next citizen: a switch to English is one citizen's choice. Only a
 * change seen by this page counts (a visit ended, a thanks screen gone), so the reload that the
 * switch itself makes never bounces back.
 */
function nextCitizen(from: Screen['kind'] | null, to: Screen['kind']): boolean {
  return from !== null && from !== to && (to === 'idle' || from === 'thanks');
}

function render(v: KioskView): void {
  const s = v.screen;
  if (nextCitizen(lastKind, s.kind) && LANG !== 'vi') {
    const q = new URLSearchParams(location.search);
    q.delete('lang');
    location.replace(`?${q}`);
    return;
  }
  if (s.kind !== 'reasons') chosen = new Set();
  draw(v);
  showCountdown(v.remainingMs);
  drawOfficer(v);
  counterLabel.textContent = v.counter ? `${T.counter} ${v.counter}` : '';
  privacy.hidden = !v.camera;
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
  showCountdown(null);
  main.innerHTML = `<p class="big">${T.offlineScreen}</p>`;
  for (const b of officerBar.querySelectorAll<HTMLButtonElement>('button')) b.disabled = true;
};
