/** The membership packs' operations, served by the owning process (owner/operations.ts spreads them in). */
import { op } from '../../lib/operation.ts';
import { caseForJoining, caseForJoiningParams, dueDiligence, dueDiligenceParams } from './packs.ts';

export const PACK_OPERATIONS = {
  'packs.case-for-joining': op({
    params: caseForJoiningParams,
    run: (db, params) => db.withConnection((conn) => caseForJoining(conn, params)),
  }),
  'packs.due-diligence': op({
    params: dueDiligenceParams,
    run: (db, params) => db.withConnection((conn) => dueDiligence(conn, params)),
  }),
};
