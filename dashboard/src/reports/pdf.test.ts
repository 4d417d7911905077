import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { addStaffMember, openStaffSession, schema } from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardApp } from '../app.js';
import { LiveRatingFeed } from '../live/feed.js';
import { PdfBusy, PdfRenderer, PdfUnavailable } from './pdf.js';

/** Debian's chromium package: without it these print nothing, and say so in the test name. */
const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
const logger = pino({ level: 'silent' });
const NOW = new Date(Date.UTC(2026, 11, 10, 3, 0));

describe.skipIf(!HAS_CHROMIUM)(
  `reports printed to PDF in Chromium${HAS_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is not installed)`}`,
  { timeout: 60_000 },
  () => {
    let store: TestStore;
    let app: ReturnType<typeof createDashboardApp>;
    const pdf = new PdfRenderer({ executablePath: CHROMIUM });
    let token = '';

    beforeAll(async () => {
      store = await openTestStore('pglite');
      await store.db
        .insert(schema.units)
        .values({ id: 'trung-van', name: 'Phường Trung Văn', province: 'Hà Nội' });
      await addStaffMember(store.db, {
        username: 'tv-leader',
        role: 'ward',
        unitId: 'trung-van',
        actor: 'test',
      });
      token = (await openStaffSession(store.db, 'tv-leader', 'api')).token;
      app = createDashboardApp({
        db: store.db,
        registry: new Registry(),
        logger,
        feed: new LiveRatingFeed(store, logger),
        now: () => NOW,
        pdf,
      });
    });
    afterAll(async () => {
      await pdf.close();
      await store?.close();
    });

    it('prints the ward report to an A4 PDF', async () => {
      const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'].map((s) => process.listenerCount(s));
      const res = await app.request('/units/trung-van/report.pdf', {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(res.headers.get('content-disposition')).toContain('report_trung-van_2026-11-01_2026-11-30.pdf');
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.subarray(0, 4).toString('latin1')).toBe('%PDF');
      // A4 portrait is 595 × 842 points (Chromium writes 594.96 × 841.92).
      expect(bytes.toString('latin1')).toMatch(/MediaBox \[0 0 59[45](\.\d+)? 84[12](\.\d+)?\]/);
      // The launched Chromium added no signal handler: Ctrl-C stays the server's to handle.
      expect(['SIGINT', 'SIGTERM', 'SIGHUP'].map((s) => process.listenerCount(s))).toEqual(signals);
    });

    it('lets the printed page load nothing from the network', async () => {
      let hits = 0;
      const server = createServer((_req, res) => {
        hits += 1;
        res.end('x');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      try {
        const out = await pdf.render(
          `<html><body><img src="http://127.0.0.1:${port}/img.png"><link rel="stylesheet" href="http://127.0.0.1:${port}/s.css">Xin chào</body></html>`,
          { text: 'test' },
        );
        expect(out.subarray(0, 4).toString('latin1')).toBe('%PDF');
        expect(hits).toBe(0);
      } finally {
        server.close();
      }
    });

    it('prints one at a time when told, refuses past the queue, and stops when closed', async () => {
      const one = new PdfRenderer({ executablePath: CHROMIUM, concurrency: 1, queueLimit: 0 });
      try {
        const [first, second] = await Promise.allSettled([
          one.render('<p>1</p>', { text: '1' }),
          one.render('<p>2</p>', { text: '2' }),
        ]);
        expect(first.status).toBe('fulfilled');
        expect(second.status === 'rejected' && second.reason instanceof PdfBusy).toBe(true);
        // The slot came back: the next one prints.
        expect((await one.render('<p>3</p>', { text: '3' })).subarray(0, 4).toString('latin1')).toBe('%PDF');
      } finally {
        await one.close();
      }
      await expect(one.render('<p>4</p>', { text: '4' })).rejects.toBeInstanceOf(PdfUnavailable);
    });
  },
);
