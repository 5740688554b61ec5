/** The item-match operations, served by the owning process (owner/operations.ts spreads them in). */
import { op } from '../../lib/operation.ts';
import { decideMatch, listMatches, matchDecisionParams, matchListParams } from './matches.ts';

export const ITEM_OPERATIONS = {
  'items.matches': op({
    params: matchListParams,
    run: (db, params) => db.withConnection((conn) => listMatches(conn, params)),
  }),
  'items.decide': op({
    params: matchDecisionParams,
    run: (db, params) => db.withConnection((conn) => decideMatch(conn, params)),
  }),
};
