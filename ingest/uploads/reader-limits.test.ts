/**
 * Every file reader bounded by what it really reads. Hostile files are built here: a zip bomb
 * (a small archive whose sheet inflates to 150 MB), an archive whose central directory lies
 * about its sizes, more rows than the limit, over-long lines, and XML entity expansion.
 */
import { describe, expect, it } from 'vitest';
import { buildXlsx } from '../../tests/fixtures/uploads/xlsx.ts';
import { zipBomb } from '../../tests/fixtures/uploads/zip-bomb.ts';
import { uploadBytes } from '../../tests/helpers/upload-bytes.ts';
import type { UploadLimits } from './upload.ts';
import { readWorkbook, WorkbookError } from './xlsx-reader.ts';

async function upload(name: string, bytes: Buffer, limits: Partial<UploadLimits> = {}) {
  const { report, sent } = await uploadBytes(name, bytes, limits);
  return { report, sent: () => sent.length };
}

const workbook = (rows: number) =>
  buildXlsx([
    {
      name: 'Spend',
      rows: [
        ['Supplier Name', 'Payment Date', 'Amount'],
        ...Array.from({ length: rows }, (_, i) => [`Supplier ${i}`, '01/11/2023', { number: String(i + 1) }]),
      ],
    },
  ]);

describe('reader limits', () => {
  it('a zip bomb (under 0.5 MB unpacking to 150 MB) is refused early, in bounded memory, naming the limit', async () => {
    const bomb = zipBomb(150 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(512 * 1024);
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const error = await readWorkbook(bomb).catch((e: unknown) => e);
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    expect(error).toBeInstanceOf(WorkbookError);
    const message = (error as Error).message;
    expect(message).toMatch(
      /unpacks to more than 16,777,216 bytes, .*\(SPEND_UPLOAD_MAX_UNPACK_RATIO\): refused after/,
    );
    // Refused after the cap plus at most one feeding step's output, nowhere near 150 MB.
    const refusedAfter = Number(/refused after ([\d,]+) bytes/.exec(message)?.[1]?.replaceAll(',', ''));
    expect(refusedAfter).toBeGreaterThan(16 * 1024 * 1024);
    expect(refusedAfter).toBeLessThan(40 * 1024 * 1024);
    expect(rssGrowth).toBeLessThan(100 * 1024 * 1024);
  });

  it('the unpacked-bytes limit is configurable and named when hit', async () => {
    const { report, sent } = await upload('big.xlsx', workbook(50), { maxUnpackedBytes: 2000 });
    expect(report.status).toBe('failed');
    expect(report.error).toMatch(/the 2,000-byte limit \(SPEND_UPLOAD_MAX_UNPACKED_BYTES\)/);
    expect(sent()).toBe(0);
  });

  it('an archive whose central directory lies about its sizes is refused', async () => {
    const bytes = Buffer.from(workbook(200));
    // Every central-directory entry now claims 100 bytes: under any limit, and false.
    for (let at = bytes.indexOf('PK\x01\x02'); at >= 0; at = bytes.indexOf('PK\x01\x02', at + 4)) {
      bytes.writeUInt32LE(100, at + 24);
    }
    const { report } = await upload('liar.xlsx', bytes);
    expect(report.status).toBe('failed');
    expect(report.error).toMatch(
      /directory does not match its contents: it says .* unpacks to 100 bytes, but it unpacks to [\d,]+; refused/,
    );
    expect(report.accepted).toBe(0);
  });

  it('a workbook with more rows than the limit is refused before anything is sent', async () => {
    const { report, sent } = await upload('rows.xlsx', workbook(20), { maxRows: 10 });
    expect(report.status).toBe('failed');
    expect(report.error).toBe(
      'the XLSX workbook holds 21 rows, over the 10-row limit (SPEND_UPLOAD_MAX_ROWS)',
    );
    expect(sent()).toBe(0);
  });

  it('a CSV with more rows than the limit stops there, marked partial, saying which limit', async () => {
    const lines = [
      'Supplier Name,Payment Date,Amount',
      ...Array.from({ length: 300 }, (_, i) => `S${i},01/11/2023,1.00`),
    ];
    const { report, sent } = await upload('rows.csv', Buffer.from(lines.join('\n')), { maxRows: 250 });
    expect(report.status).toBe('partial');
    expect(report.error).toMatch(
      /^reading stopped after row 250: the file has more rows than the 250-row limit \(SPEND_UPLOAD_MAX_ROWS\)/,
    );
    expect(sent()).toBe(249);
  });

  it('a CSV line over the configured length is rejected by row, naming the limit', async () => {
    const text = `Supplier Name,Payment Date,Amount\nA Ltd,01/11/2023,1.00\n${'x'.repeat(5000)}\nB Ltd,01/11/2023,2.00\n`;
    const { report } = await upload('long.csv', Buffer.from(text), { maxLineChars: 1000 });
    expect(report).toMatchObject({ status: 'uploaded', accepted: 2, rejected: 1 });
    expect(report.rejections[0]?.reason).toMatch(
      /a line of 5,000 characters, over the 1,000-character limit/,
    );
  });

  it('XML entity expansion never happens: a DOCTYPE (billion laughs) is refused, and entities are not expanded', async () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><note>&b;</note></Invoice>`;
    const { report } = await upload('laughs.xml', Buffer.from(laughs));
    expect(report.status).toBe('failed');
    expect(report.error).toMatch(/DOCTYPE/);
  });

  it('an XML document over the size limit is refused naming the setting', async () => {
    const xml = `<?xml version="1.0"?><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">${' '.repeat(5000)}</Invoice>`;
    const { report } = await upload('big.xml', Buffer.from(xml), { maxXmlBytes: 1000 });
    expect(report.status).toBe('failed');
    expect(report.error).toMatch(/over the 1,000-byte limit \(SPEND_UPLOAD_MAX_XML_BYTES\)/);
  });
});
