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
 * A result is described by its columns ({name, DuckDB type text}) and rows of JSON values, a
 * shape that also crosses the owner's control socket unchanged. Large results are read chunk
 * by chunk from DuckDB's streaming result and written as they come.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import {
  Bool,
  type DataType,
  DateDay,
  Decimal,
  Field,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  TimestampMillisecond,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { toScaled } from './money.ts';

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

// ---------------------------------------------------------------------------------- Arrow

const DECIMAL_TYPE = /^(?:DECIMAL|NUMERIC)\((\d+),\s*(\d+)\)$/i;

/** The Arrow type a DuckDB column keeps; anything without an exact twin travels as text. */
export function arrowType(duckdbType: string): DataType {
  const type = duckdbType.trim().toUpperCase();
  const decimal = DECIMAL_TYPE.exec(type);
  if (decimal) return new Decimal(Number(decimal[2]), Number(decimal[1]), 128);
  switch (type) {
    case 'DATE':
      return new DateDay();
    case 'BIGINT':
      return new Int64();
    case 'INTEGER':
      return new Int32();
    case 'SMALLINT':
      return new Int16();
    case 'TINYINT':
      return new Int8();
    case 'DOUBLE':
      return new Float64();
    case 'FLOAT':
    case 'REAL':
      return new Float32();
    case 'BOOLEAN':
      return new Bool();
    case 'TIMESTAMP':
      return new TimestampMillisecond();
    default:
      return new Utf8();
  }
}

export function arrowSchema(columns: readonly Column[]): Schema {
  return new Schema(columns.map((c) => new Field(c.name, arrowType(c.type), true)));
}

const DAY_MS = 86_400_000;

/** 128-bit two's complement, little-endian 32-bit words: Arrow's Decimal layout. */
function decimalWords(values: readonly (JsonValue | undefined)[], scale: number): Uint32Array {
  const words = new Uint32Array(values.length * 4);
  values.forEach((value, i) => {
    if (value === null || value === undefined) return;
    let unsigned = BigInt.asUintN(128, toScaled(String(value), scale));
    for (let w = 0; w < 4; w++) {
      words[i * 4 + w] = Number(unsigned & 0xffff_ffffn);
      unsigned >>= 32n;
    }
  });
  return words;
}

function validity(values: readonly (JsonValue | undefined)[]): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  values.forEach((value, i) => {
    if (value === null || value === undefined) nullCount++;
    else nullBitmap[i >> 3] = (nullBitmap[i >> 3] as number) | (1 << (i & 7));
  });
  return { nullBitmap, nullCount };
}

function arrowColumn(type: DataType, values: (JsonValue | undefined)[]) {
  const present = (v: JsonValue | undefined) => v !== null && v !== undefined;
  if (type instanceof Decimal) {
    return makeData({
      type,
      length: values.length,
      ...validity(values),
      data: decimalWords(values, type.scale),
    });
  }
  if (type instanceof DateDay) {
    const days = Int32Array.from(values, (v) =>
      present(v) ? Date.parse(`${String(v)}T00:00:00Z`) / DAY_MS : 0,
    );
    return makeData({ type, length: values.length, ...validity(values), data: days });
  }
  if (type instanceof Int64) {
    const data = BigInt64Array.from(values, (v) => (present(v) ? BigInt(String(v)) : 0n));
    return makeData({ type, length: values.length, ...validity(values), data });
  }
  if (type instanceof TimestampMillisecond) {
    return vectorFromArray(
      values.map((v) => (present(v) ? Date.parse(`${String(v).replace(' ', 'T')}Z`) : null)),
      type,
    ).data[0];
  }
  if (type instanceof Utf8) {
    return vectorFromArray(
      values.map((v) => (!present(v) ? null : typeof v === 'object' ? JSON.stringify(v) : String(v))),
      type,
    ).data[0];
  }
  return vectorFromArray(
    values.map((v) => (present(v) ? v : null)),
    type,
  ).data[0];
}

/** One Arrow record batch of rows, typed by the schema built from the same columns. */
export function arrowBatch(schema: Schema, columns: readonly Column[], rows: readonly Row[]): RecordBatch {
  const children = columns.map((c, i) =>
    arrowColumn(
      schema.fields[i]?.type as DataType,
      rows.map((r) => r[c.name]),
    ),
  );
  const data = makeData({
    type: new Struct(schema.fields),
    length: rows.length,
    nullCount: 0,
    children: children as never,
  });
  return new RecordBatch(schema, data);
}

export function toArrowIpc(table: ResultTable): Uint8Array {
  const schema = arrowSchema(table.columns);
  return RecordBatchStreamWriter.writeAll([arrowBatch(schema, table.columns, table.rows)]).toUint8Array(true);
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
    const schema = arrowSchema(columns);
    const writer = new RecordBatchStreamWriter();
    // The writer queues bytes; this loop hands them on as each batch is written. A sink that
    // fails (the client went away) is remembered, never left an unhandled rejection while rows
    // are still being read (that would end the process): the rest is drained, reading stops,
    // and the failure is thrown once the writer is closed.
    let failed: { error: unknown } | undefined;
    const pumped = (async () => {
      for await (const bytes of writer) {
        if (failed) continue;
        try {
          await sink.write(bytes);
        } catch (error) {
          failed = { error };
        }
      }
    })();
    try {
      writer.reset(undefined, schema);
      let wrote = false;
      for await (const rows of chunks) {
        if (failed) break;
        if (!rows.length) continue;
        writer.write(arrowBatch(schema, columns, rows));
        wrote = true;
      }
      if (!wrote) writer.write(arrowBatch(schema, columns, []));
    } finally {
      writer.close();
    }
    await pumped;
    if (failed) throw failed.error;
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
