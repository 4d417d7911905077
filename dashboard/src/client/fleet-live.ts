/// <reference lib="dom" />

/** Signals come in bursts (a ward's counters reconnecting): one re-fetch per burst. */
const REFRESH_DELAY_MS = 500;

/**
 * Live fleet summary on the devices page: the server says "changed" over SSE (published from
 * the database's signals, never polled) and the page re-fetches the summary it shows, rendered
 * and escaped by the server, with the same filters.
 */
function start(summary: HTMLElement): void {
  const liveUrl = summary.dataset.live;
  const fragmentUrl = summary.dataset.fragment;
  if (!liveUrl || !fragmentUrl) return;
  let pending: ReturnType<typeof setTimeout> | null = null;
  const refresh = () => {
    if (pending) return;
    pending = setTimeout(async () => {
      pending = null;
      // A session that ended answers with a redirect to sign in: reload rather than paste it.
      const res = await fetch(fragmentUrl, { redirect: 'manual' });
      if (res.type === 'opaqueredirect') {
        location.reload();
        return;
      }
      const current = document.getElementById('fleet-summary');
      if (res.ok && current) current.outerHTML = await res.text();
    }, REFRESH_DELAY_MS);
  };
  new EventSource(liveUrl).addEventListener('changed', refresh);
}

const summary = document.getElementById('fleet-summary');
if (summary) start(summary);
