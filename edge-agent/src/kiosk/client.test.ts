import { createContext, runInContext } from 'node:vm';
import { CounterSettings } from '@onestop/protocol';
import { describe, expect, it } from 'vitest';
import type { Screen } from '../counter/types.js';
import { initialCounterState } from '../counter/types.js';
import { kioskClientScript } from './bundle.js';
import { KIOSK_CONFIG_ID, type KioskClientConfig } from './client-config.js';
import { KIOSK_TEXT } from './i18n.js';
import { buildView, type KioskLink } from './view.js';

/**
 * The bundled client run against a minimal stand-in for the page (the Chromium test covers the
 * real browser where Chromium is installed): every screen of the state machine draws something,
 * and the link banner follows the view.
 */
interface FakeButton {
  disabled: boolean;
  dataset: Record<string, string>;
  addEventListener(): void;
  setAttribute(): void;
}

function page(lang: 'vi' | 'en' = 'vi') {
  const el = (id: string) => ({
    id,
    html: '',
    /** The buttons of the last drawn screen, as a browser would parse them. */
    buttons: [] as FakeButton[],
    get innerHTML() {
      return this.html;
    },
    set innerHTML(html: string) {
      this.html = html;
      this.buttons = [...html.matchAll(/<button/g)].map(() => ({
        disabled: false,
        dataset: {},
        addEventListener() {},
        setAttribute() {},
      }));
    },
    textContent: '',
    hidden: true,
    dataset: {} as Record<string, string>,
    attrs: {} as Record<string, string>,
    setAttribute(k: string, v: string) {
      this.attrs[k] = v;
    },
    addEventListener() {},
    querySelectorAll(): FakeButton[] {
      return this.buttons;
    },
    pause() {},
    play: () => Promise.resolve(),
  });
  const config: KioskClientConfig = { lang, text: KIOSK_TEXT[lang], audio: {}, voice: false };
  const els = new Map(
    ['main', 'link', 'voice', 'voice-toggle', 'officer', 'send', 'skip', 'qr', 'counter', 'privacy'].map(
      (id) => [id, el(id)],
    ),
  );
  const replaced: string[] = [];
  const location = { search: `?lang=${lang}&voice=0`, replace: (to: string) => replaced.push(to) };
  const body = el('body');
  const listeners = new Map<string, (e: { data: string }) => void>();
  const document = {
    body,
    getElementById: (id: string) =>
      id === KIOSK_CONFIG_ID ? { textContent: JSON.stringify(config) } : (els.get(id) ?? null),
  };
  const streams: EventSource[] = [];
  class EventSource {
    onerror: (() => void) | null = null;
    constructor() {
      streams.push(this);
    }
    addEventListener(name: string, fn: (e: { data: string }) => void) {
      listeners.set(name, fn);
    }
  }
  const fetch = () => Promise.resolve({ ok: false, text: () => Promise.resolve('') });
  return {
    context: createContext({ document, EventSource, fetch, location, URLSearchParams }),
    els,
    body,
    listeners,
    streams,
    replaced,
  };
}

const settings = CounterSettings.parse({ officers: { 'cb-a': { name: 'Nguyễn Văn A', badge: '0001' } } });
const SCREENS: Screen[] = [
  { kind: 'idle', officerId: null },
  { kind: 'visit', officerId: 'cb-a', ticket: 'A015', dossierIds: [] },
  { kind: 'rating', officerId: 'cb-a', dossierIds: ['000.00.12.H26-251124-0001'], deadline: 1 },
  { kind: 'reasons', level: 1, deadline: 1 },
  { kind: 'thanks', level: 4, scale: 'keypad4', negative: false, undoUntil: null },
  { kind: 'thanks', level: 4, scale: 'keypad4', negative: false, undoUntil: 5_000 },
  { kind: 'notice', code: 'not_recorded', detail: 'outbox full' },
];

describe('kiosk client bundle', () => {
  it('draws every screen and shows the link banner in Vietnamese', async () => {
    const p = page();
    runInContext(await kioskClientScript(), p.context);
    const send = (screen: Screen, link: KioskLink) =>
      p.listeners.get('view')!({
        data: JSON.stringify(buildView(initialCounterState(), screen, settings, link, true)),
      });
    for (const screen of SCREENS) {
      send(screen, 'online');
      expect(p.body.dataset.screen).toBe(screen.kind);
      expect(p.els.get('main')!.innerHTML).toMatch(/class="big"/);
      expect(p.els.get('link')!.hidden).toBe(true);
    }
    expect(p.els.get('main')!.innerHTML).toContain(KIOSK_TEXT.vi.notRecorded);
    // The undo window: a "Đổi" control with the faces to choose again, no comment code yet.
    send(SCREENS[5]!, 'online');
    expect(p.els.get('main')!.innerHTML).toContain(`id="change"`);
    expect(p.els.get('main')!.innerHTML).toContain(KIOSK_TEXT.vi.change);
    expect(p.els.get('main')!.innerHTML).toContain('data-level="1"');
    expect(p.els.get('main')!.innerHTML).not.toContain('id="qr"');
    send(SCREENS[4]!, 'online');
    expect(p.els.get('main')!.innerHTML).not.toContain(`id="change"`);
    send(SCREENS[2]!, 'offline');
    expect(p.els.get('main')!.innerHTML).toContain('Rất hài lòng');
    expect(p.els.get('link')!).toMatchObject({ hidden: false, textContent: 'Chưa kết nối' });
    send(SCREENS[0]!, 'withdrawn');
    expect(p.els.get('link')!).toMatchObject({ hidden: false, textContent: 'Thiết bị đã bị thu hồi' });
    expect(p.body.dataset.link).toBe('withdrawn');
  });

  it("shows the officer's start/end visit bar only while an officer is signed in", async () => {
    const p = page();
    runInContext(await kioskClientScript(), p.context);
    const bar = p.els.get('officer')!;
    const send = (state: ReturnType<typeof initialCounterState>) =>
      p.listeners.get('view')!({
        data: JSON.stringify(buildView(state, SCREENS[0]!, settings, 'online', true)),
      });
    send(initialCounterState());
    expect(bar.hidden).toBe(true);
    expect(bar.buttons).toHaveLength(0);
    send(initialCounterState({ id: 'cb-a', since: 0 }));
    expect(bar.hidden).toBe(false);
    expect(bar.innerHTML).toContain(KIOSK_TEXT.vi.startVisit);
    expect(bar.innerHTML).toMatch(/data-action="start-visit">/);
    expect(bar.innerHTML).toMatch(/data-action="end-visit" disabled>/);
    p.streams[0]!.onerror!();
    expect(bar.buttons.every((b) => b.disabled)).toBe(true);
  });

  it('disables the buttons and says so while the stream from the agent is down', async () => {
    const p = page();
    runInContext(await kioskClientScript(), p.context);
    const rating = JSON.stringify(buildView(initialCounterState(), SCREENS[2]!, settings, 'online', true));
    p.listeners.get('view')!({ data: rating });
    const main = p.els.get('main')!;
    const link = p.els.get('link')!;
    expect(main.buttons.length).toBeGreaterThanOrEqual(3);
    p.streams[0]!.onerror!(); // the agent stopped or restarts: its touches would go nowhere
    expect(main.buttons).toHaveLength(0);
    expect(main.innerHTML).toContain(KIOSK_TEXT.vi.offlineScreen);
    expect(link).toMatchObject({ hidden: false, textContent: KIOSK_TEXT.vi.offline });
    p.listeners.get('view')!({ data: rating }); // the stream is back: a live screen again
    expect(main.buttons.length).toBeGreaterThanOrEqual(3);
    expect(main.buttons.some((b) => b.disabled)).toBe(false);
    expect(link.hidden).toBe(true);
  });

  it('shows the counter, masks the dossier, names the level recorded, and the camera notice only with a camera', async () => {
    const p = page();
    runInContext(await kioskClientScript(), p.context);
    const send = (screen: Screen, camera: boolean) =>
      p.listeners.get('view')!({
        data: JSON.stringify(
          buildView(initialCounterState(), screen, settings, 'online', true, { counterId: '03', camera }),
        ),
      });
    send(SCREENS[2]!, false);
    const main = p.els.get('main')!;
    expect(p.els.get('counter')!.textContent).toBe('Quầy 03');
    expect(main.innerHTML).toContain('…0001');
    expect(main.innerHTML).not.toContain('000.00.12.H26-251124-0001');
    // Each level has its face beside its word: neither colour nor reading alone carries it.
    expect(main.innerHTML.match(/<svg/g)).toHaveLength(4);
    expect(p.els.get('privacy')!.hidden).toBe(true);
    send(SCREENS[4]!, true);
    expect(main.innerHTML).toContain('Quý khách đã chọn: <b>Rất hài lòng</b>');
    expect(p.els.get('privacy')!.hidden).toBe(false);
  });

  it('starts the next citizen in Vietnamese after one chose English, and never bounces the switch itself', async () => {
    const p = page('en');
    runInContext(await kioskClientScript(), p.context);
    const send = (screen: Screen) =>
      p.listeners.get('view')!({
        data: JSON.stringify(buildView(initialCounterState(), screen, settings, 'online', true)),
      });
    // The page reloaded in English mid-visit (the citizen's own switch): it stays English.
    send(SCREENS[2]!);
    send(SCREENS[4]!);
    expect(p.replaced).toEqual([]);
    // The thanks screen ends: the next citizen gets Vietnamese, the voice setting kept.
    send(SCREENS[0]!);
    expect(p.replaced).toEqual(['?voice=0']);
  });
});
