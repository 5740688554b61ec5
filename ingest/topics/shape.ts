/**
 * A topic's shape, declared once (ingest/topics/<topic>/shape.ts): the ordered columns of its
 * document table and its line table, each with its DuckDB type, the message field it holds and
 * whether it may be null. Everything the consumer writes follows from it, computed once at
 * module load (never per message): the `from_json` structure that shreds the staged JSON, the two
 * INSERT … SELECTs, and the row a retraction appends.
 *
 * Every topic's tables share a frame around the declared columns (see `documentTableColumns`):
 * where the row came from (topic, partition, offset, batch), whose document it is (body, id),
 * `retracted`, and last `produced_at`. The migrations that create the tables stay SQL (they are
 * history); shape.test.ts checks each declaration against the tables they create (names, order,
 * types, nullability) and against the topic's zod contract (same fields, values that fit).
 */
import type { z } from 'zod';
import type { Row } from '../rows.ts';
import type { MessageMeta } from './handler.ts';

/** The DuckDB types a column may have, spelt as information_schema.columns spells them. */
export type ColumnType =
  | 'VARCHAR'
  | 'INTEGER'
  | 'BIGINT'
  | 'BOOLEAN'
  | 'DATE'
  | 'TIMESTAMP'
  | 'DECIMAL(18,2)'
  | 'DECIMAL(18,4)';

/** A column filled from a message field; `field` is its dotted path, e.g. "supplier.vatNumber". */
export type FieldColumn<Path extends string = string> = {
  readonly name: string;
  readonly type: ColumnType;
  readonly field: Path;
  /** NOT NULL in the table (line columns only: a retraction leaves document columns empty). */
  readonly notNull?: boolean;
  /** Stored when the field is absent, instead of null. */
  readonly whenAbsent?: 'false';
};

/** A column as the migration must create it. */
export type TableColumn = { readonly name: string; readonly type: ColumnType; readonly notNull: boolean };

/** Dotted paths to the scalar fields of a document (arrays such as `lines` have their own table). */
export type FieldPath<T> = {
  [K in keyof T & string]-?: NonNullable<T[K]> extends readonly unknown[]
    ? never
    : NonNullable<T[K]> extends object
      ? `${K}.${FieldPath<NonNullable<T[K]>>}`
      : K;
}[keyof T & string];

type LineOf<Doc> = Doc extends { lines?: readonly (infer Line)[] } ? Line : never;

export type TopicShapeDeclaration<Doc> = {
  /** The document table: one row per message (every version, and retractions). */
  readonly table: string;
  /** The document's id within its body: its field, and its column (after body_id in both tables). */
  readonly documentId: { readonly field: FieldPath<Doc>; readonly column: string };
  /** The document's own columns in table order, between `retracted` and `produced_at`. */
  readonly columns: readonly FieldColumn<FieldPath<Doc>>[];
  /** The line table: one row per line of a stored document; its own columns after the id. */
  readonly lines: {
    readonly table: string;
    readonly columns: readonly FieldColumn<FieldPath<LineOf<Doc>>>[];
  };
};

/** What the consumer writes for a topic (see ingest/batch-writer.ts), all derived from its shape. */
export type TopicWrites = {
  readonly headerTable: string;
  /**
   * Inserts the documents of topic $topic staged in temp table `staged_documents`
   * (partition, batch id, offset, produced_at, raw JSON, all validated) into the header table.
   */
  readonly insertDocumentsSql: string;
  /** The same for their lines; bound: $topic. */
  readonly insertLinesSql: string;
  /** The row recording that a tombstone retracted the document (appended to headerTable). */
  retractionRow(bodyId: string, documentId: string, meta: MessageMeta): Row;
};

export type TopicShape = {
  /** The zod contract the declaration's fields belong to. */
  readonly schema: z.ZodType;
  readonly documentId: { readonly field: string; readonly column: string };
  readonly documentTable: { readonly name: string; readonly columns: readonly TableColumn[] };
  readonly lineTable: { readonly name: string; readonly columns: readonly TableColumn[] };
  /** The declared field columns (the document's, then the line's), for the contract test. */
  readonly documentFields: readonly FieldColumn[];
  readonly lineFields: readonly FieldColumn[];
  readonly writes: TopicWrites;
};

/** A column and the SQL expression that fills it in an INSERT … SELECT. */
type FilledColumn = TableColumn & { readonly select: string };

/**
 * Derives everything the consumer writes from a topic's declaration. Throws at module load if the
 * declaration cannot work (a NOT NULL document column, a repeated column or field, a name that is
 * not a plain identifier).
 */
export function defineTopicShape<Doc>(
  schema: z.ZodType<Doc>,
  declaration: TopicShapeDeclaration<Doc>,
): TopicShape {
  const { table, documentId, columns, lines } = declaration;
  const idField: string = documentId.field;
  for (const name of [table, documentId.column, idField, lines.table]) assertIdentifier(name);
  for (const column of columns) {
    if (column.notNull) {
      throw new Error(
        `${table}.${column.name}: a retraction row leaves document columns empty; it cannot be NOT NULL`,
      );
    }
  }

  const documentColumns: FilledColumn[] = [
    ...documentFrame(documentId.column, idField),
    ...columns.map((c) => fieldColumn(c, 'd')),
    { name: 'produced_at', type: 'TIMESTAMP', notNull: false, select: 'produced_at' },
  ];
  const lineColumns: FilledColumn[] = [
    ...lineFrame(documentId.column),
    ...lines.columns.map((c) => fieldColumn(c, 'l')),
  ];
  assertDistinct(table, documentColumns);
  assertDistinct(lines.table, lineColumns);

  const envelope = { bodyId: 'VARCHAR', [idField]: 'VARCHAR' } as const;
  const documentStructure = JSON.stringify({ ...envelope, ...structureOf(table, columns) });
  const lineStructure = JSON.stringify({ ...envelope, lines: [structureOf(lines.table, lines.columns)] });

  const insertDocumentsSql = `
    insert into ${table} (${namesOf(documentColumns)})
    select ${documentColumns.map((c) => c.select).join(', ')}
    from ${shredded(documentStructure)}`;
  const insertLinesSql = `
    insert into ${lines.table} (${namesOf(lineColumns)})
    select ${lineColumns.map((c) => c.select).join(', ')}
    from (
      select kafka_partition, kafka_offset, d.bodyId as body_id, d.${idField} as document_id, unnest(d.lines) as l
      from ${shredded(lineStructure)}
    )`;

  // The cells between `retracted` and `produced_at`, all empty: made once, spread into each row.
  const emptyDocument: null[] = new Array(columns.length).fill(null);
  // biome-ignore format: one row, cells in the order of documentFrame, the declared columns, produced_at
  const retractionRow = (bodyId: string, id: string, m: MessageMeta): Row => [
    m.topic, m.partition, m.offset, m.batchId, bodyId, id, true, ...emptyDocument, m.producedAt,
  ];

  return {
    schema,
    documentId: { field: idField, column: documentId.column },
    documentTable: { name: table, columns: documentColumns.map(tableColumn) },
    lineTable: { name: lines.table, columns: lineColumns.map(tableColumn) },
    documentFields: columns,
    lineFields: lines.columns,
    writes: { headerTable: table, insertDocumentsSql, insertLinesSql, retractionRow },
  };
}

/** A document table's first columns, in this order (`retractionRow` relies on it). */
function documentFrame(idColumn: string, idField: string): FilledColumn[] {
  return [
    { name: 'topic', type: 'VARCHAR', notNull: true, select: '$topic' },
    { name: 'kafka_partition', type: 'INTEGER', notNull: true, select: 'kafka_partition' },
    { name: 'kafka_offset', type: 'BIGINT', notNull: true, select: 'kafka_offset' },
    { name: 'ingest_batch_id', type: 'BIGINT', notNull: true, select: 'ingest_batch_id' },
    { name: 'body_id', type: 'VARCHAR', notNull: true, select: 'd.bodyId' },
    { name: idColumn, type: 'VARCHAR', notNull: true, select: `d.${idField}` },
    { name: 'retracted', type: 'BOOLEAN', notNull: true, select: 'false' },
  ];
}

/** A line table's first columns: the line's message and document. */
function lineFrame(idColumn: string): FilledColumn[] {
  return [
    { name: 'topic', type: 'VARCHAR', notNull: true, select: '$topic' },
    { name: 'kafka_partition', type: 'INTEGER', notNull: true, select: 'kafka_partition' },
    { name: 'kafka_offset', type: 'BIGINT', notNull: true, select: 'kafka_offset' },
    { name: 'body_id', type: 'VARCHAR', notNull: true, select: 'body_id' },
    { name: idColumn, type: 'VARCHAR', notNull: true, select: 'document_id' },
  ];
}

function fieldColumn(column: FieldColumn, from: 'd' | 'l'): FilledColumn {
  assertIdentifier(column.name);
  const value = `${from}.${column.field}`;
  return {
    name: column.name,
    type: column.type,
    notNull: column.notNull ?? false,
    select: column.whenAbsent ? `coalesce(${value}, ${column.whenAbsent})` : value,
  };
}

const namesOf = (columns: readonly TableColumn[]): string => columns.map((c) => c.name).join(', ');

const tableColumn = ({ name, type, notNull }: FilledColumn): TableColumn => ({ name, type, notNull });

/** The nested `from_json` structure of the declared fields: {"supplier":{"name":"VARCHAR"}, …}. */
function structureOf(table: string, columns: readonly FieldColumn[]): Record<string, unknown> {
  const structure: Record<string, unknown> = {};
  for (const { field, type } of columns) {
    const steps = field.split('.');
    for (const step of steps) assertIdentifier(step);
    const leaf = steps.pop() as string;
    let node = structure;
    for (const step of steps) {
      node[step] ??= {};
      node = node[step] as Record<string, unknown>;
    }
    if (leaf in node) throw new Error(`${table}: field ${field} is declared twice`);
    node[leaf] = type;
  }
  return structure;
}

/** `from_json(raw, …)` over the staged documents: the value parsed into typed DuckDB columns. */
function shredded(structure: string): string {
  return `(select kafka_partition, ingest_batch_id, kafka_offset, produced_at, from_json(raw, '${structure}') as d
    from staged_documents where topic = $topic)`;
}

// Names go into SQL and into a quoted JSON structure: plain identifiers only.
function assertIdentifier(name: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    throw new Error(`not a plain identifier: ${JSON.stringify(name)}`);
}

function assertDistinct(table: string, columns: readonly TableColumn[]): void {
  const names = columns.map((c) => c.name);
  const repeated = names.filter((name, i) => names.indexOf(name) !== i);
  if (repeated.length > 0) throw new Error(`${table}: column ${repeated[0]} is declared twice`);
}

// Column groups that several contracts share (lib/fields.ts has their zod halves).
// biome-ignore format: one column a line
export const supplierColumns = [
  { name: 'supplier_name', type: 'VARCHAR', field: 'supplier.name' },
  { name: 'supplier_ref', type: 'VARCHAR', field: 'supplier.ref' },
  { name: 'supplier_vat_number', type: 'VARCHAR', field: 'supplier.vatNumber' },
  { name: 'supplier_company_number', type: 'VARCHAR', field: 'supplier.companyNumber' },
  { name: 'supplier_charity_number', type: 'VARCHAR', field: 'supplier.charityNumber' },
  { name: 'supplier_redacted', type: 'BOOLEAN', field: 'supplier.redacted', whenAbsent: 'false' },
] as const;

// biome-ignore format: one column a line
export const categoryColumns = [
  { name: 'category_scheme', type: 'VARCHAR', field: 'category.scheme' },
  { name: 'category_code', type: 'VARCHAR', field: 'category.code' },
  { name: 'category_label', type: 'VARCHAR', field: 'category.label' },
] as const;

// biome-ignore format: one column a line
export const sourceColumns = [
  { name: 'upload_id', type: 'VARCHAR', field: 'source.uploadId' },
  { name: 'source_file', type: 'VARCHAR', field: 'source.file' },
  { name: 'source_row', type: 'INTEGER', field: 'source.row' },
] as const;

/** A document line's columns (lineBase in lib/fields.ts); quantity and unit price optional or not. */
// biome-ignore format: one column a line
export const lineColumns = (priced: { required: boolean }) => [
  { name: 'line_no', type: 'INTEGER', field: 'lineNo', notNull: true },
  { name: 'description', type: 'VARCHAR', field: 'description' },
  { name: 'item_code', type: 'VARCHAR', field: 'itemCode' },
  { name: 'quantity', type: 'DECIMAL(18,4)', field: 'quantity', notNull: priced.required },
  { name: 'unit', type: 'VARCHAR', field: 'unit' },
  { name: 'unit_price', type: 'DECIMAL(18,4)', field: 'unitPrice', notNull: priced.required },
  { name: 'net_amount', type: 'DECIMAL(18,2)', field: 'netAmount', notNull: true },
  ...categoryColumns,
] as const;

/**
 * A line's item identity and pack size (migration 010 appends them to both line tables, so they
 * come last in each line declaration; older messages leave them null).
 */
// biome-ignore format: one column a line
export const itemIdentityColumns = [
  { name: 'standard_item_scheme', type: 'VARCHAR', field: 'standardItemId.scheme' },
  { name: 'standard_item_id', type: 'VARCHAR', field: 'standardItemId.id' },
  { name: 'sellers_item_code', type: 'VARCHAR', field: 'sellersItemCode' },
  { name: 'buyers_item_code', type: 'VARCHAR', field: 'buyersItemCode' },
  { name: 'pack_quantity', type: 'DECIMAL(18,4)', field: 'packQuantity' },
  { name: 'pack_unit', type: 'VARCHAR', field: 'packUnit' },
] as const;
