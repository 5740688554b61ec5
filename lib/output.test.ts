import {
  type DateDay,
  DateUnit,
  Decimal,
  type Int32,
  type Int64,
  Type,
  tableFromIPC,
  Utf8,
} from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { toArrowIpc } from './arrow.ts';
import { Database } from './db.ts';
import { csvCell, type Row, readTable, streamQuery, toCsv, writeResult } from './output.ts';

let db: Database;

beforeAll(async () => {
  db = await Database.open({ path: ':memory:', migrationsDir: MIGRATIONS_DIR });
});
afterAll(() => db.close());

// Typed literals the expectations below are written from by hand, not read back from the module.
const SAMPLE = `select * from (values
    ('North Shire', -126.40::decimal(18,2), date '2023-11-30', 9007199254740993::bigint, 7::integer),
    ('=HYPERLINK("x")', 1234567890123.45::decimal(18,2), date '1999-01-01', -5::bigint, null),
    (null, null, null, null, 1)
  ) t(supplier_name, net_total, invoice_date, big, small)`;

const collect = async (format: 'json' | 'csv' | 'arrow', sql = SAMPLE) => {
  const parts: (string | Uint8Array)[] = [];
  await db.withConnection(async (conn) => {
    const { columns, chunks } = await streamQuery(conn, sql);
    await writeResult(format, columns, chunks, { write: (c) => void parts.push(c) });
  });
  return parts;
};

describe('JSON', () => {
  it('keeps money and BIGINT as exact strings and dates as ISO text', async () => {
    const body = JSON.parse((await collect('json')).join('')) as { columns: unknown; rows: Row[] };
    expect(body.columns).toEqual([
      { name: 'supplier_name', type: 'VARCHAR' },
      { name: 'net_total', type: 'DECIMAL(18,2)' },
      { name: 'invoice_date', type: 'DATE' },
      { name: 'big', type: 'BIGINT' },
      { name: 'small', type: 'INTEGER' },
    ]);
    expect(body.rows[0]).toEqual({
      supplier_name: 'North Shire',
      net_total: '-126.40',
      invoice_date: '2023-11-30',
      big: '9007199254740993',
      small: 7,
    });
    expect(body.rows[1]?.net_total).toBe('1234567890123.45');
    expect(body.rows[2]).toEqual({
      supplier_name: null,
      net_total: null,
      invoice_date: null,
      big: null,
      small: 1,
    });
  });

  it('streams the same values as the materialised reader', async () => {
    const streamed = JSON.parse((await collect('json')).join('')) as { rows: Row[] };
    const read = await db.withConnection((conn) => readTable(conn, SAMPLE));
    expect(streamed.rows).toEqual(read.rows);
  });
});

describe('CSV', () => {
  it('quotes every cell of the rejected-rows export, as spend uploads show --rejections-csv wrote it', () => {
    const columns = [
      { name: 'row', type: 'INTEGER' },
      { name: 'column', type: 'VARCHAR' },
      { name: 'field', type: 'VARCHAR' },
      { name: 'value', type: 'VARCHAR' },
      { name: 'reason', type: 'VARCHAR' },
    ];
    const rows = [
      { row: 2, column: 'Amount', field: 'netAmount', value: '=1+1', reason: 'not an amount: "=1+1"' },
    ];
    expect(toCsv({ columns, rows }, { quoteAll: true })).toBe(
      '"row","column","field","value","reason"\r\n"2","Amount","netAmount","\'=1+1","not an amount: ""=1+1"""\r\n',
    );
  });

  it('makes formula text inert but leaves negative numbers in numeric columns as numbers', async () => {
    const lines = (await collect('csv')).join('').split('\r\n');
    expect(lines[0]).toBe('supplier_name,net_total,invoice_date,big,small');
    expect(lines[1]).toBe('North Shire,-126.40,2023-11-30,9007199254740993,7');
    expect(lines[2]).toBe(`"'=HYPERLINK(""x"")",1234567890123.45,1999-01-01,-5,`);
    expect(lines[3]).toBe(',,,,1');
  });

  it('guards every formula start in text cells', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) {
      expect(csvCell(`${start}1+1`).replace(/^"/, '')).toMatch(/^'/);
    }
    expect(csvCell('-126.40', true)).toBe('-126.40');
    expect(csvCell('-126.40')).toBe(`'-126.40`);
    expect(csvCell('plain')).toBe('plain');
    expect(toCsv({ columns: [{ name: 'a', type: 'VARCHAR' }], rows: [{ a: 'x,y' }] })).toBe('a\r\n"x,y"\r\n');
  });
});

/** The signed value of one 128-bit little-endian Decimal cell, read from the raw words. */
function decimalCell(words: Uint32Array, index: number): bigint {
  let value = 0n;
  for (let w = 3; w >= 0; w--) value = (value << 32n) | BigInt(words[index * 4 + w] as number);
  return BigInt.asIntN(128, value);
}

describe('Arrow IPC', () => {
  it('keeps the DuckDB column types and exact values', async () => {
    const bytes = Buffer.concat((await collect('arrow')).map((p) => Buffer.from(p)));
    const table = tableFromIPC(bytes);
    const types = table.schema.fields.map((f) => f.type);
    expect(types[0]).toBeInstanceOf(Utf8);
    expect(types[1]).toBeInstanceOf(Decimal);
    expect((types[1] as Decimal).scale).toBe(2);
    expect((types[1] as Decimal).precision).toBe(18);
    // decoded types are the generic classes (Date_, Int_): compare id, unit and width
    expect(types[2]?.typeId).toBe(Type.Date);
    expect((types[2] as DateDay).unit).toBe(DateUnit.DAY);
    expect(types[3]?.typeId).toBe(Type.Int);
    expect([(types[3] as Int64).bitWidth, (types[3] as Int64).isSigned]).toEqual([64, true]);
    expect((types[4] as Int32).bitWidth).toBe(32);
    expect(types.map(String)).toEqual(['Utf8', 'Decimal[18e+2]', 'Date32<DAY>', 'Int64', 'Int32']);

    const money = table.getChild('net_total')?.data[0];
    expect(decimalCell(money?.values as Uint32Array, 0)).toBe(-12640n);
    expect(decimalCell(money?.values as Uint32Array, 1)).toBe(123456789012345n);
    expect(table.getChild('net_total')?.get(2)).toBeNull();
    // DateDay values are days since 1970-01-01: 2023-11-30 is day 19691.
    const days = table.getChild('invoice_date')?.data[0]?.values as Int32Array;
    expect(days[0]).toBe(19691);
    expect(table.getChild('invoice_date')?.get(0)).toBe(Date.UTC(2023, 10, 30));
    expect(table.getChild('big')?.get(0)).toBe(9007199254740993n);
    expect(table.getChild('big')?.get(1)).toBe(-5n);
    expect(table.getChild('supplier_name')?.get(1)).toBe('=HYPERLINK("x")');
    expect(table.getChild('small')?.get(1)).toBeNull();
  });

  it('streams a large result as several record batches, every row once', async () => {
    const sql = 'select i::bigint as i, (i * 0.01)::decimal(18,2) as amount from range(0, 10000) r(i)';
    const parts = await collect('arrow', sql);
    expect(parts.length).toBeGreaterThan(2);
    const table = tableFromIPC(Buffer.concat(parts.map((p) => Buffer.from(p))));
    expect(table.batches.length).toBeGreaterThan(1);
    expect(table.numRows).toBe(10000);
    let sum = 0n;
    const amounts = table.getChild('amount');
    for (const data of amounts?.data ?? []) {
      for (let i = 0; i < data.length; i++) sum += decimalCell(data.values as Uint32Array, i);
    }
    // Σ i for i < 10000, in pence
    expect(sum).toBe((9999n * 10000n) / 2n);
  });

  it('fails the write when the sink fails (a client went away), with no unhandled rejection meanwhile', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    let sinkFailed!: () => void;
    const failure = new Promise<void>((resolve) => {
      sinkFailed = resolve;
    });
    let batchesRead = 0;
    // the second batch comes only after the sink has failed and the event loop has turned twice
    async function* slowRows(): AsyncGenerator<Row[]> {
      batchesRead++;
      yield [{ x: 1 }];
      await failure;
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      batchesRead++;
      yield [{ x: 2 }];
      batchesRead++;
      yield [{ x: 3 }];
    }
    const sink = {
      write: () => {
        sinkFailed();
        return Promise.reject(new Error('client went away'));
      },
    };
    try {
      await expect(writeResult('arrow', [{ name: 'x', type: 'INTEGER' }], slowRows(), sink)).rejects.toThrow(
        'client went away',
      );
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    // it stopped reading once the sink had failed
    expect(batchesRead).toBeLessThan(3);
  });

  it('builds one buffer for a small table with the same types', () => {
    const table = tableFromIPC(
      toArrowIpc({ columns: [{ name: 'x', type: 'DECIMAL(9,3)' }], rows: [{ x: '-0.005' }] }),
    );
    expect((table.schema.fields[0]?.type as Decimal | undefined)?.scale).toBe(3);
    expect(decimalCell(table.getChild('x')?.data[0]?.values as Uint32Array, 0)).toBe(-5n);
  });
});
