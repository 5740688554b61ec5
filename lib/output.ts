/**
 * The one place a query result becomes output, for the CLI and the API alike:
 * - JSON: values as DuckDB's JSON converter gives them, so DECIMAL and BIGINT are exact
 *   strings ("-126.40", "9007199254740993") and dates ISO text; never a float for money.
 * - CSV: RFC 4180, with text cells that a spreadsheet would run as a formula (= + - @ tab CR
 *   first; OWASP "CSV injection") prefixed with an apostrophe. Numeric columns are left as
 *   numbers: the decision is per column type, so -126.40 in a DECIMAL column stays -126.40.
 * - Arrow IPC stream with the DuckDB column types kept: DECIMAL(p,s) → Decimal(s, p, 128),
 *   DATE → DateDay, BIGINT → Int64, INTEGER → Int32, DOUBLE → Float64, BOOLEAN → Bool,
 *   TIMESTAMP → TimestampMillisecond, VARCHAR → Utf8; lists and structs travel as JSON text.
 *
 * Arrow output is written by arrow.ts, loaded only when asked for.
 *
 * A result is described by its columns ({name, DuckDB type text}) and rows of JSON values, a
 * shape that also crosses the owner's control socket unchanged. Large results are read chunk
 * by chunk from DuckDB's streaming result and written as they come.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';

/** A column of a result: its name and its DuckDB type as DuckDB writes it, e.g. DECIMAL(18,2). */
export type Column = { name: string; type: string };
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type Row = Record<string, JsonValue>;
export type ResultTable = { columns: Column[]; rows: Row[] };

export const OUTPUT_FORMATS = ['json', 'csv', 'arrow'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
export const MEDIA_TYPES: Record<OutputFormat, string> = {
  json: 'application/json',
  csv: 'text/csv; charset=utf-8',
  arrow: 'application/vnd.apache.arrow.stream',
};

const NUMERIC_TYPE =
  /^(DECIMAL|NUMERIC|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL)\b/i;

export function isNumericType(type: string): boolean {
  return NUMERIC_TYPE.test(type.trim());
}

// ---------------------------------------------------------------------------------- reading

/** Runs a query and yields its rows chunk by chunk (DuckDB's streaming result: bounded memory). */
export async function streamQuery(
  conn: DuckDBConnection,
  sql: string,
  params?: Record<string, DuckDBValue>,
): Promise<{ columns: Column[]; chunks: AsyncGenerator<Row[]> }> {
  const result = await conn.stream(sql, params);
  const names = result.columnNames();
  const columns = names.map((name, i) => ({ name, type: String(result.columnTypes()[i]) }));
  async function* chunks(): AsyncGenerator<Row[]> {
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) return;
      const rows = chunk.getRows();
      yield rows.map((values) => {
        const row: Row = {};
        values.forEach((value, i) => {
          row[names[i] as string] = toJson(value);
        });
        return row;
      });
    }
  }
  return { columns, chunks: chunks() };
}

/** Reads a whole (bounded) result into memory. */
export async function readTable(
  conn: DuckDBConnection,
  sql: string,
  params?: Record<string, DuckDBValue>,
): Promise<ResultTable> {
  const reader = await conn.runAndReadAll(sql, params);
  const names = reader.columnNames();
  return {
    columns: names.map((name, i) => ({ name, type: String(reader.columnTypes()[i]) })),
    rows: reader.getRowObjectsJson() as Row[],
  };
}

/** One DuckDB value as JSON, exactly as DuckDB's JSON converter would write it. */
function toJson(value: DuckDBValue): JsonValue {
  if (value === null) return null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') {
    return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
  }
  if (typeof (value as { toJson?: unknown }).toJson === 'function') {
    return (value as unknown as { toJson(): JsonValue }).toJson();
  }
  return String(value);
}

// ---------------------------------------------------------------------------------- CSV

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * How cells are quoted: when needed (RFC 4180, the default), or always, as the rejected-rows
 * export does so that every value reads back as the text it was.
 */
export type CsvOptions = { quoteAll?: boolean };

/** One CSV cell; text that a spreadsheet would evaluate is made inert. */
export function csvCell(value: JsonValue | undefined, numeric = false, options: CsvOptions = {}): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (!numeric && FORMULA_START.test(text)) text = `'${text}`;
  const quote = options.quoteAll || /[",\r\n]/.test(text) || text !== text.trim();
  return quote ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvHeader(columns: readonly Column[], options: CsvOptions = {}): string {
  return `${columns.map((c) => csvCell(c.name, false, options)).join(',')}\r\n`;
}

export function csvRows(columns: readonly Column[], rows: readonly Row[], options: CsvOptions = {}): string {
  const numeric = columns.map((c) => isNumericType(c.type));
  let out = '';
  for (const row of rows) {
    out += `${columns.map((c, i) => csvCell(row[c.name], numeric[i], options)).join(',')}\r\n`;
  }
  return out;
}

export function toCsv(table: ResultTable, options: CsvOptions = {}): string {
  return csvHeader(table.columns, options) + csvRows(table.columns, table.rows, options);
}

// ---------------------------------------------------------------------------------- writing

/** Where output goes: stdout, an HTTP response, a file. Resolves once the chunk is taken. */
export type Sink = { write(chunk: string | Uint8Array): Promise<void> | void };

/**
 * Writes a result in a format, chunk by chunk. JSON is `{"columns":[…],"rows":[…]}` plus any
 * `extra` members (a next-page cursor); `ndjson` is one row object per line (the CLI's --json).
 */
export async function writeResult(
  format: OutputFormat | 'ndjson',
  columns: Column[],
  chunks: AsyncIterable<Row[]> | Iterable<Row[]>,
  sink: Sink,
  extra: Record<string, JsonValue> = {},
): Promise<void> {
  if (format === 'csv') {
    await sink.write(csvHeader(columns));
    for await (const rows of chunks) if (rows.length) await sink.write(csvRows(columns, rows));
    return;
  }
  if (format === 'ndjson') {
    for await (const rows of chunks) {
      if (rows.length) await sink.write(rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
    }
    return;
  }
  if (format === 'arrow') {
    // apache-arrow is loaded when Arrow is asked for: it stays out of processes that never write it.
    const { writeArrow } = await import('./arrow.ts');
    await writeArrow(columns, chunks, sink);
    return;
  }
  await sink.write(`{"columns":${JSON.stringify(columns)},"rows":[`);
  let first = true;
  for await (const rows of chunks) {
    if (!rows.length) continue;
    await sink.write((first ? '' : ',') + rows.map((row) => JSON.stringify(row)).join(','));
    first = false;
  }
  const tail = Object.entries(extra)
    .map(([key, value]) => `,${JSON.stringify(key)}:${JSON.stringify(value)}`)
    .join('');
  await sink.write(`]${tail}}`);
}
