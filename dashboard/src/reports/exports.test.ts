import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { type Cell, csvStream, type Sheet, sheetNameOf, xlsxStream } from './exports.js';

/** A sheet of `total` rows that counts how many were read from it (the database, in an export). */
function countedSheet(total: number) {
  const read = { rows: 0, ended: false };
  async function* rows(): AsyncGenerator<Cell[]> {
    try {
      for (let i = 0; i < total; i++) {
        read.rows++;
        yield [`Phường ${i}`, i, 'x'.repeat(200)];
        // Let the event loop breathe as a database round trip would.
        if (i % 100 === 0) await new Promise((r) => setImmediate(r));
      }
    } finally {
      read.ended = true;
    }
  }
  const sheet: Sheet = { header: ['Tên', 'Số', 'Ghi chú'], rows: rows() };
  return { sheet, read };
}

const settle = () => new Promise((r) => setTimeout(r, 200));

describe('spreadsheet downloads', () => {
  it('names a sheet as Excel accepts', () => {
    expect(sheetNameOf('Phường [Trung/Văn]: *?')).toBe('Phường  Trung Văn');
    expect(sheetNameOf('x'.repeat(40))).toHaveLength(31);
    expect(sheetNameOf('[]')).toBe('Sheet1');
  });

  it('writes every row of an XLSX read to the end, and says when it is done', async () => {
    const { sheet } = countedSheet(500);
    let done = 0;
    const bytes = await new Response(xlsxStream(sheet, 'Trung Văn', () => done++)).arrayBuffer();
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes);
    expect(book.worksheets[0]!.rowCount).toBe(501);
    await settle();
    expect(done).toBe(1);
  });

  it('stops reading rows when the client leaves an XLSX download, and frees its slot', async () => {
    const total = 200_000;
    const { sheet, read } = countedSheet(total);
    let done = 0;
    const reader = xlsxStream(sheet, 'Trung Văn', () => done++).getReader();
    await reader.read();
    await reader.cancel();
    await settle();
    const after = read.rows;
    await settle();
    expect(read.rows).toBe(after);
    expect(read.rows).toBeLessThan(total / 4);
    expect(read.ended).toBe(true);
    expect(done).toBe(1);
  });

  it('frees the slot of an XLSX download left before its first byte', async () => {
    const { sheet } = countedSheet(1000);
    let done = 0;
    await xlsxStream(sheet, 'Trung Văn', () => done++).cancel();
    await settle();
    expect(done).toBe(1);
  });

  it('reads no faster than a slow client takes an XLSX', async () => {
    const total = 200_000;
    const { sheet, read } = countedSheet(total);
    const reader = xlsxStream(sheet, 'Trung Văn').getReader();
    await reader.read();
    await settle();
    // Nobody reads: the writer waits for the buffer to drain instead of zipping the whole year.
    expect(read.rows).toBeLessThan(total / 4);
    await reader.cancel();
  });

  it('frees a CSV slot once, whether the download ends or the client leaves', async () => {
    const whole = countedSheet(10);
    let done = 0;
    await new Response(csvStream(whole.sheet, () => done++)).text();
    expect(done).toBe(1);
    const left = countedSheet(10_000);
    const reader = csvStream(left.sheet, () => done++).getReader();
    await reader.read(); // the header
    await reader.read(); // a first row: the reading has begun
    await reader.cancel();
    expect(done).toBe(2);
    expect(left.read.ended).toBe(true);
  });
});
