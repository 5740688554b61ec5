/**
 * Every topic's shape (ingest/topics/<topic>/shape.ts) against what it must agree with: the
 * tables the migrations create in a real DuckDB file, the rows its derived SQL and retraction row
 * actually write there, and the topic's zod contract. Topics are found by folder, so a new topic
 * is checked without being listed here.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Database, queryRows } from '../../lib/db.ts';
import { PendingWrite } from '../batch-writer.ts';
import { appendRow, kafkaTimestamp } from '../rows.ts';
import { MIGRATIONS_DIR } from '../schema-migrations.ts';
import type { ColumnType, FieldColumn, TableColumn, TopicShape } from './shape.ts';

const TOPICS_DIR = dirname(fileURLToPath(import.meta.url));
const topicFolders = readdirSync(TOPICS_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

async function loadShape(folder: string): Promise<TopicShape> {
  const module: Record<string, unknown> = await import(
    pathToFileURL(join(TOPICS_DIR, folder, 'shape.ts')).href
  );
  const shapes = Object.values(module).filter(
    (value): value is TopicShape => typeof value === 'object' && value !== null && 'writes' in value,
  );
  if (shapes.length !== 1) throw new Error(`${folder}/shape.ts must export exactly one topic shape`);
  return shapes[0] as TopicShape;
}

const topics = await Promise.all(
  topicFolders.map(async (folder) => [folder, await loadShape(folder)] as const),
);

let dir: string;
let db: Database;
let conn: DuckDBConnection;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'topic-shapes-'));
  db = await Database.open({ path: join(dir, 'shapes.duckdb'), migrationsDir: MIGRATIONS_DIR });
  conn = await db.connect();
});
afterAll(() => {
  conn?.closeSync();
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('finds the topics', () => {
  expect(topicFolders).toEqual(expect.arrayContaining(['invoices', 'purchase-orders']));
});

describe.each(topics)('%s/shape.ts', (_folder, shape) => {
  it('declares the document and line tables exactly as the migrations create them', async () => {
    for (const table of [shape.documentTable, shape.lineTable]) {
      expect(await tableColumns(table.name), table.name).toEqual(table.columns);
    }
  });

  it('stores every field of a staged document in its column, and its lines in theirs', async () => {
    const topic = `shape-${shape.documentTable.name}`;
    const line = (seed: number) => valuesFor(shape.lineFields, seed);
    const document = valuesFor(shape.documentFields, 1);
    const lines = [line(101), line(201)];
    const raw = {
      ...document.json,
      bodyId: 'shape-body',
      [shape.documentId.field]: 'DOC-1',
      lines: lines.map((l) => l.json),
    };
    await stage(topic, [{ offset: 7, raw }]);
    await conn.run(shape.writes.insertDocumentsSql, { topic });
    await conn.run(shape.writes.insertLinesSql, { topic });

    const [stored] = await rowsAsText(shape.documentTable.name, topic);
    expect(stored).toEqual({
      topic,
      kafka_partition: '3',
      kafka_offset: '7',
      ingest_batch_id: '42',
      body_id: 'shape-body',
      [shape.documentId.column]: 'DOC-1',
      retracted: 'false',
      ...document.stored,
      produced_at: '2024-03-01 00:00:00',
    });
    const storedLines = await rowsAsText(shape.lineTable.name, topic);
    expect(storedLines).toEqual(
      lines.map((l) => ({
        topic,
        kafka_partition: '3',
        kafka_offset: '7',
        body_id: 'shape-body',
        [shape.documentId.column]: 'DOC-1',
        ...l.stored,
      })),
    );
  });

  it('stores an absent field as null (or its declared default)', async () => {
    const topic = `shape-absent-${shape.documentTable.name}`;
    await stage(topic, [{ offset: 8, raw: { bodyId: 'shape-body', [shape.documentId.field]: 'DOC-2' } }]);
    await conn.run(shape.writes.insertDocumentsSql, { topic });
    const [stored] = await rowsAsText(shape.documentTable.name, topic);
    for (const column of shape.documentFields) {
      expect(stored?.[column.name], column.name).toBe(column.whenAbsent ?? null);
    }
  });

  it('appends a retraction row that fits the table: ids, retracted, nothing else', async () => {
    const topic = `shape-retraction-${shape.documentTable.name}`;
    const row = shape.writes.retractionRow('shape-body', 'DOC-3', {
      topic,
      partition: 2,
      offset: 9n,
      batchId: 43n,
      producedAt: kafkaTimestamp(String(Date.UTC(2024, 2, 1))),
    });
    const appender = await conn.createAppender(shape.documentTable.name);
    try {
      appendRow(appender, row);
    } finally {
      appender.closeSync();
    }

    const [stored] = await rowsAsText(shape.documentTable.name, topic);
    const empty = Object.fromEntries(shape.documentFields.map((c) => [c.name, null]));
    expect(stored).toEqual({
      topic,
      kafka_partition: '2',
      kafka_offset: '9',
      ingest_batch_id: '43',
      body_id: 'shape-body',
      [shape.documentId.column]: 'DOC-3',
      retracted: 'true',
      ...empty,
      produced_at: '2024-03-01 00:00:00',
    });
  });

  it('agrees with the zod contract: the same fields, and every value it accepts fits its column', () => {
    const documentLeaves = leavesOf(shape.schema);
    const lineLeaves = leavesOf(elementOf(fieldSchema(shape.schema, 'lines')));
    const framed = ['schema', 'bodyId', shape.documentId.field];

    // Both the frame's fields (body and document id) are required strings.
    for (const field of ['bodyId', shape.documentId.field]) {
      expect(documentLeaves.get(field), field).toMatchObject({ required: true });
      expect(fits('VARCHAR', documentLeaves.get(field)?.schema), field).toBe(true);
    }
    expect(shape.documentFields.map((c) => c.field).sort()).toEqual(
      [...documentLeaves.keys()].filter((field) => !framed.includes(field)).sort(),
    );
    expect(shape.lineFields.map((c) => c.field).sort()).toEqual([...lineLeaves.keys()].sort());

    const check = (
      columns: readonly FieldColumn[],
      leaves: Map<string, Leaf>,
      nullable: 'always' | 'if-optional',
    ) => {
      for (const column of columns) {
        const leaf = leaves.get(column.field) as Leaf;
        expect(fits(column.type, leaf.schema), `${column.name} ${column.type} ← ${column.field}`).toBe(true);
        const notNull = nullable === 'if-optional' && leaf.required;
        expect(
          column.notNull ?? false,
          `${column.name}: NOT NULL exactly when ${column.field} is required`,
        ).toBe(notNull);
      }
    };
    // A retraction leaves every document column empty, so they are nullable whatever the contract says.
    check(shape.documentFields, documentLeaves, 'always');
    check(shape.lineFields, lineLeaves, 'if-optional');
  });
});

async function tableColumns(table: string): Promise<TableColumn[]> {
  const rows = await queryRows<{ column_name: string; data_type: string; is_nullable: string }>(
    conn,
    `select column_name, data_type, is_nullable from information_schema.columns
     where table_schema = 'main' and table_name = $table order by ordinal_position`,
    { table },
  );
  return rows.map((r) => ({
    name: r.column_name,
    type: r.data_type as ColumnType,
    notNull: r.is_nullable === 'NO',
  }));
}

async function stage(topic: string, documents: { offset: number; raw: unknown }[]): Promise<void> {
  await PendingWrite.open(conn);
  for (const { offset, raw } of documents) {
    await conn.run(
      `insert into staged_documents values ($topic, 3, 42, $offset, timestamp '2024-03-01 00:00:00', $raw)`,
      { topic, offset, raw: JSON.stringify(raw) },
    );
  }
}

/** A table's rows for one topic, every cell as DuckDB prints it (null stays null). */
async function rowsAsText(table: string, topic: string): Promise<Record<string, string | null>[]> {
  return queryRows<Record<string, string | null>>(
    conn,
    `select columns(*)::varchar from ${table} where topic = $topic order by kafka_offset, rowid`,
    { topic },
  );
}

/**
 * A distinct value for every declared field, built from the column type alone: the nested JSON
 * a producer would send, and each column's value as DuckDB prints it once stored.
 */
function valuesFor(columns: readonly FieldColumn[], seed: number) {
  const json: Record<string, unknown> = {};
  const stored: Record<string, string> = {};
  columns.forEach((column, i) => {
    const n = seed + i;
    const [sent, printed] = sampleOf(column.type, n);
    const steps = column.field.split('.');
    const leaf = steps.pop() as string;
    let node = json;
    for (const step of steps) {
      node[step] ??= {};
      node = node[step] as Record<string, unknown>;
    }
    node[leaf] = sent;
    stored[column.name] = printed;
  });
  return { json, stored };
}

function sampleOf(type: ColumnType, n: number): [unknown, string] {
  switch (type) {
    case 'VARCHAR':
      return [`text ${n}`, `text ${n}`];
    case 'INTEGER':
      return [1000 + n, String(1000 + n)];
    case 'BOOLEAN':
      return [n % 2 === 0, String(n % 2 === 0)];
    case 'DATE': {
      const date = `2023-${String((n % 12) + 1).padStart(2, '0')}-${String((n % 28) + 1).padStart(2, '0')}`;
      return [date, date];
    }
    case 'DECIMAL(18,2)':
      return [`-${n}.25`, `-${n}.25`];
    case 'DECIMAL(18,4)':
      return [`${n}.1234`, `${n}.1234`];
    default:
      throw new Error(`no sample for a ${type} field`);
  }
}

type Leaf = { schema: z.ZodType; required: boolean };

/** A zod object's scalar fields by dotted path (arrays left out), and whether each is required all the way down. */
function leavesOf(
  schema: z.ZodType,
  prefix = '',
  required = true,
  leaves = new Map<string, Leaf>(),
): Map<string, Leaf> {
  if (!(schema instanceof z.ZodObject)) throw new Error(`${prefix || 'the contract'} is not an object`);
  for (const [name, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    const optional = field instanceof z.ZodOptional;
    const inner = optional ? (field.unwrap() as z.ZodType) : field;
    const path = `${prefix}${name}`;
    if (inner instanceof z.ZodArray) continue;
    if (inner instanceof z.ZodObject) leavesOf(inner, `${path}.`, required && !optional, leaves);
    else leaves.set(path, { schema: inner, required: required && !optional });
  }
  return leaves;
}

function fieldSchema(schema: z.ZodType, name: string): z.ZodType {
  const field = (schema as z.ZodObject).shape[name] as z.ZodType;
  return field instanceof z.ZodOptional ? (field.unwrap() as z.ZodType) : field;
}

function elementOf(schema: z.ZodType): z.ZodType {
  if (!(schema instanceof z.ZodArray)) throw new Error('lines is not an array');
  return schema.element as z.ZodType;
}

/** Whether every value the contract accepts for a field fits the column type: probed at the edges. */
function fits(type: ColumnType, schema: z.ZodType | undefined): boolean {
  if (!schema) return false;
  const accepts = (...values: unknown[]) => values.every((v) => schema.safeParse(v).success);
  const rejects = (...values: unknown[]) => values.every((v) => !schema.safeParse(v).success);
  switch (type) {
    case 'VARCHAR':
      return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }).type === 'string';
    case 'INTEGER':
      return accepts(2_147_483_647) && rejects(2_147_483_648, 1.5, '1');
    case 'BOOLEAN':
      return accepts(true, false) && rejects('true', 1);
    case 'DATE':
      return accepts('2024-02-29') && rejects('2023-02-29', '2024-2-1', 20240229);
    case 'DECIMAL(18,2)':
      return accepts('-9999999999999999.99', '0.01') && rejects('0.001', '99999999999999999', 1.5);
    case 'DECIMAL(18,4)':
      return accepts('-99999999999999.9999', '0.0001') && rejects('0.00001', '999999999999999', 1.5);
    default:
      return false;
  }
}
