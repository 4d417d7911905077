import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

/** Chromium is not installed (or would not start): the PDF route answers 503 in words. */
export class PdfUnavailable extends Error {}

/** Too many PDFs are waiting: the route answers 503 with `Retry-After`. */
export class PdfBusy extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('too many PDFs waiting');
  }
}

export interface PdfRendererOptions {
  /** Default `ONESTOP_CHROMIUM`, else Debian's /usr/bin/chromium. */
  executablePath?: string;
  /** Pages printed at the same time (each is a Chromium renderer process). */
  concurrency?: number;
  /** Requests allowed to wait for a free slot; the next one is refused. */
  queueLimit?: number;
  /** A render taking longer than this is abandoned (its page closed) and fails. */
  timeoutMs?: number;
}

/** What may appear at the foot of every page: Chromium fills in the page numbers. */
export interface PdfPageFoot {
  /** Plain text (escaped here): the unit and the period's dates. */
  text: string;
}

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

function escapeText(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * Prints report HTML to A4 PDF in Debian's Chromium through playwright-core. One browser is
 * launched on the first PDF and reused (a launch costs ~0.5 s); each PDF gets its own context with
 * JavaScript off and every network request refused, so the page can load nothing and send
 * nothing (no cookies exist in a fresh context). At most `concurrency` PDFs are printed at once,
 * `queueLimit` more wait, and the rest are refused at once rather than piling up memory.
 */
export class PdfRenderer {
  private readonly executablePath: string;
  private readonly concurrency: number;
  private readonly queueLimit: number;
  private readonly timeoutMs: number;
  private browser: Promise<Browser> | null = null;
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private closed = false;

  constructor(opts: PdfRendererOptions = {}) {
    this.executablePath = opts.executablePath ?? process.env.ONESTOP_CHROMIUM ?? '/usr/bin/chromium';
    this.concurrency = opts.concurrency ?? 2;
    this.queueLimit = opts.queueLimit ?? 8;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  /** Whether a Chromium binary is where the renderer looks (checked on every request: cheap). */
  available(): boolean {
    return existsSync(this.executablePath);
  }

  async render(html: string, foot: PdfPageFoot): Promise<Buffer> {
    if (this.closed || !this.available()) throw new PdfUnavailable(`no Chromium at ${this.executablePath}`);
    await this.acquire();
    try {
      return await this.print(html, foot);
    } finally {
      this.release();
    }
  }

  /** Closes the browser (the dashboard's shutdown); later renders answer "unavailable". */
  async close(): Promise<void> {
    this.closed = true;
    const browser = this.browser;
    this.browser = null;
    if (browser) await browser.then((b) => b.close()).catch(() => undefined);
  }

  private acquire(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active += 1;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.queueLimit) {
      // A print takes a few seconds: by then the queue ahead has moved.
      throw new PdfBusy(Math.max(1, Math.ceil((this.timeoutMs / 1000) * 0.2)));
    }
    // The slot is handed over by `release`, so `active` stays counted for the waiter.
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active -= 1;
  }

  private launch(): Promise<Browser> {
    if (!this.browser) {
      const launching = import('playwright-core').then(({ chromium }) =>
        chromium.launch({
          executablePath: this.executablePath,
          args: ARGS,
          headless: true,
          // Playwright's own signal handlers exit the process with 130 on Ctrl-C, before
          // `onestop serve` closes its database; the server closes this renderer itself.
          handleSIGINT: false,
          handleSIGTERM: false,
          handleSIGHUP: false,
        }),
      );
      this.browser = launching;
      launching.then(
        // A crashed browser is launched again on the next PDF.
        (b) =>
          b.on('disconnected', () => {
            if (this.browser === launching) this.browser = null;
          }),
        () => {
          if (this.browser === launching) this.browser = null;
        },
      );
    }
    return this.browser;
  }

  private async print(html: string, foot: PdfPageFoot): Promise<Buffer> {
    let browser: Browser;
    try {
      browser = await this.launch();
    } catch (e) {
      throw new PdfUnavailable(`Chromium would not start: ${(e as Error).message}`);
    }
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    let timer: NodeJS.Timeout | undefined;
    try {
      const page = await context.newPage();
      // Nothing leaves the page: images, fonts, links are all refused (the report is self-contained).
      await page.route('**/*', (route) => route.abort());
      const work = (async () => {
        await page.setContent(html, { waitUntil: 'load', timeout: this.timeoutMs });
        return page.pdf({
          format: 'A4',
          printBackground: true,
          preferCSSPageSize: true,
          displayHeaderFooter: true,
          headerTemplate: '<span></span>',
          footerTemplate: `<div style="font-size:8pt;width:100%;padding:0 12mm;display:flex;justify-content:space-between"><span>${escapeText(foot.text)}</span><span><span class="pageNumber"></span>/<span class="totalPages"></span></span></div>`,
        });
      })();
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`PDF not printed within ${this.timeoutMs} ms`)),
          this.timeoutMs,
        );
      });
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
      await context.close().catch(() => undefined);
    }
  }
}
