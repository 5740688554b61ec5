/**
 * How an upload ends when rows are rejected: none accepted is a failure (nothing sent, the
 * report says why); some accepted is an upload marked incomplete, saying what is missing.
 */
import { describe, expect, it } from 'vitest';
import { uploadBytes } from '../../tests/helpers/upload-bytes.ts';
import { formatReport } from './report.ts';

const upload = (text: string) => uploadBytes('f.csv', text);

describe('upload outcome', () => {
  it('no accepted rows: failed, nothing sent, the first reason given; recorded as failed', async () => {
    const { report, sent, finished } = await upload(
      'Supplier Name,Payment Date,Amount\nAcme Ltd,31/02/2023,10.00\nBeta Ltd,01/11/2023,ten\n',
    );
    expect(report.status).toBe('failed');
    expect(report.error).toBe(
      'no row was accepted: all 2 rows that hold spend were rejected (the first: row 2, column "Payment Date": ' +
        `${report.rejections[0]?.reason}); nothing was sent`,
    );
    expect(report.rejections).toHaveLength(2);
    expect(sent).toHaveLength(0);
    expect(finished.map((r) => r.status)).toEqual(['failed']);
    expect(report).not.toHaveProperty('incomplete');
    expect(formatReport(report)).toContain('NOT UPLOADED: no row was accepted');
  });

  it('some rows rejected: uploaded, marked incomplete, saying how many are missing and how to send them', async () => {
    const { report, sent } = await upload(
      'Supplier Name,Payment Date,Amount\nAcme Ltd,01/11/2023,10.00\nBeta Ltd,01/11/2023,ten\nGamma Ltd,02/11/2023,5.00\n',
    );
    expect(report.status).toBe('uploaded');
    expect(sent).toHaveLength(2);
    expect(report.incomplete).toBe(
      `1 of 3 rows that hold spend were rejected and not sent; the other 2 are in. The rejected rows are listed with row, column and reason (spend uploads show ${report.uploadId} --rejections-csv FILE): correct them and upload them as a file of their own`,
    );
    expect(formatReport(report)).toContain('  INCOMPLETE: 1 of 3 rows');
  });

  it('every row accepted: no mark', async () => {
    const { report } = await upload('Supplier Name,Payment Date,Amount\nAcme Ltd,01/11/2023,10.00\n');
    expect(report.status).toBe('uploaded');
    expect(report).not.toHaveProperty('incomplete');
  });
});
