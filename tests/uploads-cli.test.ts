/**
 * `spend upload`, `spend uploads` and `spend mapping` as a body's finance officer uses them,
 * through the real CLI, the real broker and a real DuckDB file, on the hand-made fixtures:
 * --wait with and without an owner, bad files beside good ones, the same file twice, a
 * corrected mapping (no double counting), a layout nobody recognises, overlapping periods,
 * and a rejections export that is safe to open in a spreadsheet.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Stats } from '../lib/stats.ts';
import { createPipeline, type Pipeline } from './helpers/pipeline.ts';

const FIXTURES = resolve(import.meta.dirname, 'fixtures/uploads');
const fixture = (name: string) => join(FIXTURES, name);
const BODY = 'fixture-council';

type Summary = {
  uploadId: string;
  file: string;
  accepted: number;
  rejected: number;
  acceptedNetTotal: string;
  ingested: boolean;
};

const lines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Summary);

async function currentInvoices(pipeline: Pipeline): Promise<number> {
  const stats = await pipeline.cli(['stats', '--json']);
  return (JSON.parse(stats.stdout) as Stats).bodies.find((b) => b.bodyId === BODY)?.invoices ?? -1;
}

describe('spend upload / uploads / mapping', () => {
  it('works end to end for a finance officer, bad files included', async () => {
    const pipeline = await createPipeline();
    const unknown = await pipeline.cli(['upload', '--body', 'nobody-here', fixture('amounts.csv')]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/Body "nobody-here" is not registered/);

    const added = await pipeline.cli([
      'bodies',
      'add',
      BODY,
      '--name',
      'Fixture Council',
      '--joined',
      '2023-04-01',
    ]);
    expect(added.code, added.stderr).toBe(0);

    // No owner running: --wait ingests in this process until the upload is in.
    const first = await pipeline.cli([
      'upload',
      '--body',
      BODY,
      '--wait',
      '--json',
      fixture('lancashire-like-cp1252.csv'),
    ]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/ingesting in this process/);
    const [lancs] = lines(first.stdout);
    expect(lancs).toEqual({
      uploadId: expect.stringMatching(/^up-/),
      file: 'lancashire-like-cp1252.csv',
      rowsRead: 7,
      accepted: 6,
      rejected: 0,
      skipped: 1,
      acceptedNetTotal: '8764.44',
      controlTotal: null,
      controlTotalAgrees: null,
      ingested: true,
    });

    await pipeline.startOwner('ingest').ready();

    // Bad files beside a good one: each bad file is named with its reason; the good one goes in.
    const mixed = await pipeline.cli([
      'upload',
      '--body',
      BODY,
      '--wait',
      '--json',
      fixture('empty.csv'),
      fixture('renamed-pdf.csv'),
      fixture('binary.csv'),
      fixture('header-only.csv'),
      fixture('formula-rejected.csv'),
    ]);
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toContain('empty.csv: the file is empty');
    expect(mixed.stderr).toContain('renamed-pdf.csv: this is a PDF document');
    expect(mixed.stderr).toContain('binary.csv: this is a binary file');
    expect(mixed.stderr).toContain('header-only.csv: row 1 is a header, and no row after it holds spend');
    const summaries = lines(mixed.stdout);
    expect(summaries.map((s) => [s.file, s.accepted, s.rejected, s.ingested])).toEqual([
      ['empty.csv', 0, 0, false],
      ['renamed-pdf.csv', 0, 0, false],
      ['binary.csv', 0, 0, false],
      ['header-only.csv', 0, 0, false],
      ['formula-rejected.csv', 1, 1, true],
    ]);

    // The rejected row, exported: the formula-like value is escaped, never a live formula.
    const csvPath = join(pipeline.config.dbPath, '..', 'rejections.csv');
    const shown = await pipeline.cli([
      'uploads',
      'show',
      summaries[4]?.uploadId ?? '',
      '--rejections-csv',
      csvPath,
    ]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/row 2, column "Amount": not an amount/);
    expect(readFileSync(csvPath, 'utf8')).toBe(
      '"row","column","field","value","reason"\r\n"2","Amount","netAmount","\'=1+1","not an amount: ""=1+1"""\r\n',
    );

    // The same file again: recognised, nothing sent, the same upload id.
    const before = await currentInvoices(pipeline);
    const again = await pipeline.cli([
      'upload',
      '--body',
      BODY,
      '--json',
      fixture('lancashire-like-cp1252.csv'),
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(lines(again.stdout)[0]?.uploadId).toBe(lancs?.uploadId);
    expect(await currentInvoices(pipeline)).toBe(before);

    // A corrected mapping makes it a new upload, but the ids come from the raw rows: no double count.
    const saved = await pipeline.cli([
      'mapping',
      'save',
      fixture('lancashire-like-cp1252.csv'),
      '--body',
      BODY,
      '--set',
      'serviceArea=Organisational unit',
      '--unset',
      'costCentre',
    ]);
    expect(saved.code, saved.stderr).toBe(0);
    const corrected = await pipeline.cli([
      'upload',
      '--body',
      BODY,
      '--wait',
      '--json',
      '--threshold',
      '250',
      fixture('lancashire-like-cp1252.csv'),
    ]);
    expect(corrected.code, corrected.stderr).toBe(0);
    const correctedSummary = lines(corrected.stdout)[0];
    expect(correctedSummary?.uploadId).not.toBe(lancs?.uploadId);
    expect(correctedSummary).toMatchObject({ accepted: 6, ingested: true });
    expect(await currentInvoices(pipeline)).toBe(before);

    // The threshold each file publishes from: as the uploader said, else read from its rows
    // (six rows are too few to tell: everything); stored with the upload and in its report.
    const correctedReport = await pipeline.cli([
      'uploads',
      'show',
      correctedSummary?.uploadId ?? '',
      '--json',
    ]);
    expect(JSON.parse(correctedReport.stdout).publishingThreshold).toMatchObject({
      pounds: 250,
      source: 'option',
    });
    const thresholds = await pipeline.cli([
      'sql',
      `select upload_id, publishing_threshold::varchar as pounds, publishing_threshold_source as source
       from uploads where upload_id in ('${lancs?.uploadId}', '${correctedSummary?.uploadId}') order by created_at`,
      '--json',
    ]);
    expect(thresholds.code, thresholds.stderr).toBe(0);
    expect(lines(thresholds.stdout)).toEqual([
      { upload_id: lancs?.uploadId, pounds: '0.00', source: 'detected' },
      { upload_id: correctedSummary?.uploadId, pounds: '250.00', source: 'option' },
    ]);
    const badThreshold = await pipeline.cli([
      'upload',
      '--body',
      BODY,
      '--threshold',
      '£500',
      fixture('amounts.csv'),
    ]);
    expect(badThreshold.code).toBe(1);
    expect(badThreshold.stderr).toContain('--threshold £500: whole pounds');

    // A layout nobody recognises: refused until the body saves its mapping, then it goes in.
    const refused = await pipeline.cli(['upload', '--body', BODY, fixture('unknown-layout.csv')]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/no header row found/);
    const shownLayout = await pipeline.cli([
      'mapping',
      'show',
      fixture('unknown-layout.csv'),
      '--body',
      BODY,
    ]);
    expect(shownLayout.code).toBe(1);
    expect(shownLayout.stderr).toMatch(/--header-row/);
    const savedUnknown = await pipeline.cli([
      'mapping',
      'save',
      fixture('unknown-layout.csv'),
      '--body',
      BODY,
      '--header-row',
      '1',
      '--set',
      'supplierName=Payee',
      '--set',
      'paymentDate=When',
      '--set',
      'netAmount=How much',
      '--set',
      'transactionNumber=Ref',
    ]);
    expect(savedUnknown.code, savedUnknown.stderr).toBe(0);
    const listed = await pipeline.cli(['mapping', 'list', '--body', BODY, '--json']);
    expect((JSON.parse(listed.stdout) as { mappings: unknown[] }).mappings).toHaveLength(2);
    const accepted = await pipeline.cli([
      'upload',
      '--body',
      BODY,
      '--wait',
      '--json',
      fixture('unknown-layout.csv'),
    ]);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(lines(accepted.stdout)[0]).toMatchObject({
      accepted: 2,
      acceptedNetTotal: '30.00',
      ingested: true,
    });

    // An upload whose months overlap an earlier upload of the body says so.
    const overlapping = await pipeline.cli(['upload', '--body', BODY, '--json', fixture('unit4-report.csv')]);
    const overlapId = lines(overlapping.stdout)[0]?.uploadId ?? '';
    const report = await pipeline.cli(['uploads', 'show', overlapId, '--json']);
    const overlaps = (
      JSON.parse(report.stdout) as { overlaps: { uploadId: string; months: { month: string }[] }[] }
    ).overlaps;
    expect(overlaps.map((o) => o.uploadId)).toContain(lines(accepted.stdout)[0]?.uploadId);
    expect(overlaps.flatMap((o) => o.months.map((m) => m.month))).toContain('2023-11');
  }, 180_000);
});
