import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { PairingClaimResponse } from '@onestop/protocol';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { claimFromCentre, PairingRefused, pairingTarget } from './board.js';

/** The screen's words, Vietnamese first (the technician and the ward read it), English below. */
const WORDS = {
  title: ['Ghép nối thiết bị tại quầy', 'Pair this counter device'],
  help: [
    'Nhập mã ghép nối (trên trang "Thêm thiết bị"), hoặc quét mã QR bằng máy quét của quầy.',
    'Type the pairing code (from "Add device"), or scan its QR code with the counter\'s scanner.',
  ],
  code: ['Mã ghép nối', 'Pairing code'],
  centre: ['Địa chỉ trung tâm', 'Centre address'],
  submit: ['Ghép nối', 'Pair'],
  done: ['Đã ghép nối thiết bị', 'Device paired'],
  starting: ['Màn hình quầy sẽ hiện sau ít giây.', 'The counter screen comes up in a few seconds.'],
  malformed: ['Đây không phải mã ghép nối: 8 chữ và số, ví dụ ABCD-EFGH', 'That is not a pairing code'],
  unknown: ['Không có mã ghép nối này: kiểm tra lại, hoặc tạo mã mới', 'No such pairing code'],
  claimed: ['Mã này đã được dùng: tạo mã mới', 'This code has been used already'],
  expired: ['Mã đã hết hạn: tạo mã mới', 'This code has expired'],
  revoked: ['Thiết bị của mã này đã bị thu hồi', 'The device of this code has been revoked'],
  throttled: ['Nhập sai quá nhiều lần: chờ ít phút rồi thử lại', 'Too many wrong codes: wait and try again'],
  unreachable: ['Không kết nối được tới trung tâm: kiểm tra địa chỉ và mạng', 'Cannot reach the centre'],
  refused: ['Trung tâm từ chối ghép nối', 'The centre refused the pairing'],
  noCentre: ['Nhập địa chỉ trung tâm, ví dụ http://10.0.0.2:8080', 'Give the centre address'],
} as const;

type Word = keyof typeof WORDS;
const say = (w: Word) => html`${WORDS[w][0]}<br /><small lang="en">${WORDS[w][1]}</small>`;
const isWord = (s: string): s is Word => Object.hasOwn(WORDS, s);

export interface PairingScreen {
  url: string;
  /** Resolves with the centre's answer once a code has been claimed on the screen. */
  paired: Promise<PairingClaimResponse>;
  close(): Promise<void>;
}

/**
 * The first-boot screen: on the kiosk's own address (127.0.0.1), a form where the technician
 * types the code, or scans the pairing QR code with the counter's scanner (a keyboard wedge types
 * it into the field while no agent holds the scanner). Only this machine's browser may use it:
 * the Host must be this address and a POST must come from this page (Origin), so that neither
 * another site nor a DNS-rebound name can claim a code through it. No script on the page.
 */
export async function startPairingScreen(o: {
  port: number;
  centre?: string | undefined;
  /** Writes the device file from the answer; an error is shown on the screen. */
  /** `centre`: the origin the code was claimed from, where the board later fetches its updates. */
  onClaimed: (answer: PairingClaimResponse, centre: string) => void;
}): Promise<PairingScreen> {
  let resolvePaired!: (a: PairingClaimResponse) => void;
  const paired = new Promise<PairingClaimResponse>((r) => {
    resolvePaired = r;
  });
  let origin = '';
  const app = new Hono();
  app.use(async (c, next) => {
    if (c.req.header('host') !== new URL(origin).host) return c.text('wrong host', 421);
    await next();
    c.header('cache-control', 'no-store');
  });
  const page = (body: HtmlEscapedString | Promise<HtmlEscapedString>, refresh = false) => {
    const nonce = randomBytes(12).toString('base64');
    return {
      nonce,
      html: html`<!doctype html>
<html lang="vi"><head><meta charset="utf-8" /><meta name="viewport" content="width=device-width" />
${refresh ? html`<meta http-equiv="refresh" content="8;url=/" />` : ''}<title>${WORDS.title[0]}</title>
<style nonce="${nonce}">body{font:1.3rem system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}
input{font-size:1.5rem;width:100%;margin:.3rem 0 1rem}button{font-size:1.5rem;padding:.5rem 2rem}
.bad{color:#a00}small{color:#555}</style></head>
<body><h1>${say('title')}</h1>${body}</body></html>`,
    };
  };
  const form = (values: { code?: string; centre?: string }, error?: Word) => html`
<p>${say('help')}</p>${error ? html`<p class="bad" role="alert">${say(error)}</p>` : ''}
<form method="post" action="/">
<label>${say('code')}<input name="code" autofocus autocomplete="off" maxlength="300" value="${values.code ?? ''}" /></label>
${
  o.centre
    ? ''
    : html`<label>${say('centre')}<input name="centre" maxlength="300" value="${values.centre ?? ''}" /></label>`
}
<button type="submit">${say('submit')}</button></form>`;
  /** Only the page's own style runs: no script at all, forms only to this address. */
  const send = (c: Context, p: ReturnType<typeof page>, status: 200 | 400 = 200) => {
    c.header(
      'content-security-policy',
      `default-src 'none'; form-action 'self'; style-src 'nonce-${p.nonce}'`,
    );
    return c.html(p.html, status);
  };

  let busy = false;
  /** Set once a code has been claimed: `paired` resolves when that answer has been sent. */
  let succeeded: PairingClaimResponse | null = null;
  app.get('/', (c) => send(c, page(form({}))));
  app.post('/', bodyLimit({ maxSize: 2048, onError: (c) => c.text('too large', 413) }), async (c) => {
    if (c.req.header('origin') !== origin) return c.text('forbidden', 403);
    const body = await c.req.parseBody();
    const values = {
      code: typeof body.code === 'string' ? body.code.trim() : '',
      centre: typeof body.centre === 'string' ? body.centre.trim() : '',
    };
    const refuse = (w: Word) => send(c, page(form(values, w)), 400);
    // A scanned QR code holds the centre's address too; a typed code needs it given.
    const isUrl = /^https?:\/\//i.test(values.code);
    if (!isUrl && !o.centre && !values.centre) return refuse('noCentre');
    let target: ReturnType<typeof pairingTarget>;
    try {
      target = pairingTarget(values.code, o.centre ?? (values.centre || undefined));
    } catch {
      return refuse('malformed');
    }
    // One claim at a time, and none after a success: a double tap must not claim twice.
    if (busy || succeeded) return refuse(succeeded ? 'claimed' : 'refused');
    busy = true;
    try {
      const answer = await claimFromCentre(target);
      o.onClaimed(answer, target.centre);
      succeeded = answer;
      return send(
        c,
        page(html`<p>${say('done')}: <strong>${answer.deviceId}</strong></p><p>${say('starting')}</p>`, true),
      );
    } catch (e) {
      if (e instanceof PairingRefused) return refuse(isWord(e.reason) ? e.reason : 'refused');
      throw e;
    } finally {
      busy = false;
    }
  });

  const server = createAdaptorServer({ fetch: app.fetch });
  server.on('request', (_req, res) => {
    res.once('finish', () => {
      if (succeeded) resolvePaired(succeeded);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/`,
    paired,
    close: () =>
      new Promise<void>((resolve) => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
