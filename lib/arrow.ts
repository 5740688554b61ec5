/**
 * Results as an Arrow IPC stream, with the DuckDB column types kept (see output.ts for the
 * mapping). Apart from output.ts so that apache-arrow is loaded only by processes that write
 * Arrow (the API, `--format arrow`): it is ~20 MiB of resident memory.
 */
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
import type { Column, JsonValue, ResultTable, Row, Sink } from './output.ts';

const DECIMAL_TYPE = /^(?:DECIMAL|NUMERIC)\((\d+),\s*(\d+)\)$/i;

/** The Arrow type a DuckDB column keeps; anything without an exact twin travels as text. */
export function arrowType(duckdbType: string): DataType {
  const type = duckdbType.trim().toUpperCase();
  const decimal = DECIMAL_TYPE.exec(type);
  if (decimal) return new Decimal(Number(decimal[2]), Number(decimal[1]), 128);
  return ARROW_TYPES[type]?.() ?? new Utf8();
}

/** DuckDB's type names with an exact Arrow twin (DECIMAL(p,s) aside). */
const ARROW_TYPES: Record<string, () => DataType> = {
  DATE: () => new DateDay(),
  BIGINT: () => new Int64(),
  INTEGER: () => new Int32(),
  SMALLINT: () => new Int16(),
  TINYINT: () => new Int8(),
  DOUBLE: () => new Float64(),
  FLOAT: () => new Float32(),
  REAL: () => new Float32(),
  BOOLEAN: () => new Bool(),
  TIMESTAMP: () => new TimestampMillisecond(),
};

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

/** Writes rows as one Arrow IPC stream, a record batch per chunk of rows. */
export async function writeArrow(
  columns: readonly Column[],
  chunks: AsyncIterable<Row[]> | Iterable<Row[]>,
  sink: Sink,
): Promise<void> {
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
}
