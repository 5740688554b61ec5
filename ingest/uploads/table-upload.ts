/**
 * The rows of a table (CSV, TSV or a workbook sheet) through the upload: the header is looked
 * for (header-search.ts), the layout decided from it (table-layout.ts), then every row is
 * checked against the values of the rows around the header; then every row is
 * classified (spend, or a blank, repeated-header, total or marker row that is skipped and
 * counted), mapped to an invoice.v1 message and sent, or rejected with its reasons. Rows held
 * before the header are read like the rest, except that those that do not read as spend count
 * as preamble. A total row becomes the control total the accepted rows are reconciled with.
 */
import { readControlTotal } from './control-total.ts';
import { CsvSyntaxError, type SourceRow, TOO_LONG_LINE } from './csv-reader.ts';
import { normaliseHeader, type SavedMapping } from './field-mapping.ts';
import { type FoundHeader, HeaderSearch } from './header-search.ts';
import { RowIdAllocator } from './ids.ts';
import { SAMPLE_ROWS } from './mapping-by-values.ts';
import { classifyRow, type RowLayout } from './row-classification.ts';
import { newRowCounters, type RowCounters, RowMapper } from './row-to-invoice.ts';
import { decideLayout, MappingContradiction, type TableLayout } from './table-layout.ts';
import { UploadFileError, type UploadLimits, type UploadSteps } from './upload-contract.ts';

export type TableUploadContext = {
  bodyId: string;
  uploadId: string;
  file: string;
  limits: UploadLimits;
  saved: Map<string, SavedMapping>;
};

type OpenTable = { layout: TableLayout; mapper: RowMapper; rowLayout: RowLayout };

export class TableUpload {
  /** What the accepted rows held beyond their number (redactions, cut cells…); null before the header. */
  counters: RowCounters | null = null;
  private table: OpenTable | null = null;

  constructor(
    private readonly steps: UploadSteps,
    private readonly ctx: TableUploadContext,
  ) {}

  /** Reads every row; `afterBatch` runs after each batch (progress), `onFirstRow` before the first. */
  async read(
    batches: AsyncIterable<SourceRow[]> | Iterable<SourceRow[]>,
    hooks: { onFirstRow?: () => void; afterBatch?: () => void } = {},
  ): Promise<void> {
    const search = new HeaderSearch(this.ctx.saved, this.ctx.limits.maxRowsBeforeHeader);
    const { tally } = this.steps;
    // Once the header is found, the next rows are held as samples until the mapping is checked.
    let pending: { found: FoundHeader; after: SourceRow[] } | null = null;
    let first = true;
    try {
      for await (const batch of batches) {
        if (first) {
          hooks.onFirstRow?.();
          first = false;
        }
        for (const row of batch) {
          if (tally.rowsRead >= this.ctx.limits.maxRows) {
            throw new UploadFileError(
              `reading stopped after row ${tally.rowsRead.toLocaleString('en-GB')}: the file has more rows than the ${this.ctx.limits.maxRows.toLocaleString('en-GB')}-row limit (SPEND_UPLOAD_MAX_ROWS)`,
            );
          }
          tally.rowsRead++;
          if (this.table) {
            const sending = this.readRow(row, this.table, false);
            if (sending) await sending;
          } else if (pending) {
            pending.after.push(row);
            if (pending.after.length >= SAMPLE_ROWS) {
              await this.start(pending.found, pending.after);
              pending = null;
            }
          } else {
            const found = search.offer(row);
            if (!found) continue;
            tally.skip('header');
            pending = { found, after: [] };
          }
        }
        hooks.afterBatch?.();
      }
    } catch (error) {
      // A file cut short: the rows read before the break still go through.
      if (pending && error instanceof CsvSyntaxError) await this.start(pending.found, pending.after);
      throw error;
    }
    if (pending) await this.start(pending.found, pending.after);
    if (!this.table) throw search.notFound();
  }

  /** Decides the layout from the header and the rows around it, then reads those rows. */
  private async start(found: FoundHeader, after: SourceRow[]): Promise<void> {
    const samples = [...found.before.slice(-SAMPLE_ROWS), ...after];
    const table = await this.open(found.header, found.saved, samples);
    for (const before of found.before) {
      const sending = this.readRow(before, table, true);
      if (sending) await sending;
    }
    for (const row of after) {
      const sending = this.readRow(row, table, false);
      if (sending) await sending;
    }
  }

  private async open(
    header: SourceRow,
    saved: SavedMapping | undefined,
    samples: SourceRow[],
  ): Promise<OpenTable> {
    let layout: TableLayout;
    try {
      layout = decideLayout(header, saved, samples);
    } catch (error) {
      // The report still shows the mapping the values contradicted, and why.
      if (error instanceof MappingContradiction) Object.assign(this.steps.report, error.report);
      throw error;
    }
    Object.assign(this.steps.report, layout.report);
    await this.steps.begin(layout.fingerprint, layout.digest);
    const counters = newRowCounters();
    this.counters = counters;
    const { fields } = layout.mapping;
    this.table = {
      layout,
      mapper: new RowMapper({
        bodyId: this.ctx.bodyId,
        uploadId: this.ctx.uploadId,
        file: this.ctx.file.slice(0, 1000),
        fields,
        header: layout.header,
        basis: layout.basis,
        ids: new RowIdAllocator(),
        counters,
      }),
      rowLayout: { fields, normalisedHeader: layout.header.map(normaliseHeader) },
    };
    return this.table;
  }

  /** Reads one row; returns a promise only when the sink asks to wait. */
  private readRow(row: SourceRow, table: OpenTable, beforeHeader: boolean): Promise<void> | undefined {
    const { tally } = this.steps;
    const first = row.cells[0] ?? '';
    if (first.startsWith(TOO_LONG_LINE)) {
      const length = Number(first.slice(TOO_LONG_LINE.length));
      this.steps.reject([
        {
          row: row.row,
          column: null,
          field: null,
          reason: `a line of ${length.toLocaleString('en-GB')} characters, over the ${this.ctx.limits.maxLineChars.toLocaleString('en-GB')}-character limit: not read`,
        },
      ]);
      return;
    }
    const kind = classifyRow(row.cells, table.rowLayout);
    if (kind !== 'data') {
      if (kind === 'total') {
        const total = readControlTotal(row.cells, table.layout.mapping.fields, table.layout.basis);
        if (total) tally.controlTotal(total.pence, row.row, total.label, total.note);
      }
      tally.skip(kind);
      return;
    }
    const outcome = table.mapper.map(row.cells, row.row);
    if (!outcome.ok) {
      if (beforeHeader && outcome.netPence === null) tally.skip('preamble');
      else this.steps.reject(outcome.rejections);
      return;
    }
    const invoice = outcome.invoice;
    tally.invoices++;
    tally.accept(
      outcome.netPence,
      invoice.currency,
      invoice[table.layout.dateField] ?? invoice.invoiceDate ?? invoice.paymentDate,
    );
    return this.steps.send({
      topic: 'invoices',
      key: `${invoice.bodyId}:${invoice.invoiceId}`,
      value: JSON.stringify(invoice),
    });
  }
}
