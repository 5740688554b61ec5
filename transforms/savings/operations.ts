/**
 * The savings ledger's operations, served by the owning process like every other operation
 * (lib/operations.ts spreads them in): `spend agreements|savings …` and the API call these.
 */
import { z } from 'zod';
import { op } from '../../lib/operation.ts';
import { baselinesParams, listBaselines } from './baseline-versions.ts';
import {
  explain,
  explainParams,
  listSignOffs,
  signOff,
  signOffParams,
  statement,
  statementParams,
} from './ledger.ts';
import { type CsvKind, listLoads, loadAgreement, loadCsv, loadParams } from './loads.ts';

export const CSV_LOADS: readonly CsvKind[] = [
  'register',
  'service-charges',
  'sales',
  'evidence',
  'price-index',
  'investment',
];

export const SAVINGS_OPERATIONS = {
  'agreements.load': op({
    params: loadParams,
    run: (db, params) => db.withConnection((conn) => loadAgreement(conn, params)),
  }),
  'savings.load': op({
    params: loadParams.extend({ kind: z.enum(CSV_LOADS as [CsvKind, ...CsvKind[]]) }),
    run: (db, { kind, ...params }) => db.withConnection((conn) => loadCsv(conn, kind, params)),
  }),
  'savings.loads': op({ params: z.object({}), run: (db) => db.withConnection(listLoads) }),
  'savings.signoff': op({
    params: signOffParams,
    run: (db, params) => db.withConnection((conn) => signOff(conn, params)),
  }),
  'savings.signoffs': op({ params: z.object({}), run: (db) => db.withConnection(listSignOffs) }),
  'savings.statement': op({
    params: statementParams,
    run: (db, params) => db.withConnection((conn) => statement(conn, params)),
  }),
  'savings.explain': op({
    params: explainParams,
    run: (db, params) => db.withConnection((conn) => explain(conn, params)),
  }),
  'savings.baselines': op({
    params: baselinesParams,
    run: (db, params) => db.withConnection((conn) => listBaselines(conn, params)),
  }),
};
