/**
 * The partnership performance operations, served by the owning process like every other
 * operation (owner/operations.ts spreads them in): `spend service-levels|commitments|report
 * partnership` and the API call these.
 */
import { op } from '../../lib/operation.ts';
import {
  breaches,
  breachParams,
  commitmentParams,
  commitments,
  serviceLevelParams,
  serviceLevels,
} from './performance.ts';
import { partnershipReport, reportParams } from './report.ts';

export const PARTNERSHIP_OPERATIONS = {
  'partnership.serviceLevels': op({
    params: serviceLevelParams,
    run: (db, params) => db.withConnection((conn) => serviceLevels(conn, params)),
  }),
  'partnership.breaches': op({
    params: breachParams,
    run: (db, params) => db.withConnection((conn) => breaches(conn, params)),
  }),
  'partnership.commitments': op({
    params: commitmentParams,
    run: (db, params) => db.withConnection((conn) => commitments(conn, params)),
  }),
  'partnership.report': op({
    params: reportParams,
    run: (db, params) => db.withConnection((conn) => partnershipReport(conn, params)),
  }),
};
