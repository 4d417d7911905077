/// <reference lib="dom" />
import { UNIT_LIVE_CONFIG_ID, type UnitLiveConfig } from '../assets/unit-live-config.js';

/** Rows kept in the live table; older ones drop off the bottom. */
const MAX_ROWS = 50;
/** New ratings arrive in bursts: the officer table is re-fetched once per burst. */
const REFRESH_DELAY_MS = 500;

function readConfig(): UnitLiveConfig | null {
  const text = document.getElementById(UNIT_LIVE_CONFIG_ID)?.textContent;
  return text ? (JSON.parse(text) as UnitLiveConfig) : null;
}

/**
 * Live updates of the unit page: new rows arrive as server-rendered (escaped) HTML over SSE; the
 * officer table is re-fetched after them.
 */
function start(config: UnitLiveConfig, body: HTMLElement): void {
  let pending: ReturnType<typeof setTimeout> | null = null;
  const refreshOfficers = () => {
    if (pending) return;
    pending = setTimeout(async () => {
      pending = null;
      // A session that ended answers with a redirect to the sign-in page: never paste that page
      // in place of the table; reload, which signs in and comes back here.
      const res = await fetch(config.officersUrl, { redirect: 'manual' });
      if (res.type === 'opaqueredirect') {
        location.reload();
        return;
      }
      const table = document.getElementById('officers');
      if (res.ok && table) table.outerHTML = await res.text();
    }, REFRESH_DELAY_MS);
  };
  const events = new EventSource(config.liveUrl);
  events.addEventListener('rating', (e: MessageEvent<string>) => {
    // The feed re-sends a short window after reconnects; the page may already hold the row.
    const id = /data-event-id="([^"]+)"/.exec(e.data)?.[1];
    if (id && body.querySelector(`[data-event-id="${CSS.escape(id)}"]`)) return;
    body.insertAdjacentHTML('afterbegin', e.data);
    body.firstElementChild?.classList.add('fresh');
    while (body.children.length > MAX_ROWS) body.lastElementChild?.remove();
    refreshOfficers();
  });
}

const config = readConfig();
const body = document.getElementById('live-body');
if (config && body) start(config, body);
