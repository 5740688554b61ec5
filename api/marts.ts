/**
 * Which marts each role reads, and how a body key reads them. Bodies share prices with the
 * partnership, not with each other, so a `body` key:
 * - reads marts with a body_id column for its own body only (a bound filter it cannot lift), minus
 *   the cross-body columns from which another body's figure could be worked out;
 * - reads price dispersion (no body names, ranges only) where at least three OTHER bodies
 *   contribute (`bodies` ≥ 4 counts itself in, the strictest reading), without the cheapest and
 *   dearest body's names;
 * - reads nothing else (registers of names beside prices: contracts, duplicate pairs, categories
 *   with per-body splits, entity lists naming bodies).
 */
import type { DuckDBValue } from '@duckdb/node-api';
import { quoteIdent } from '../lib/db.ts';
import type { Column } from '../lib/output.ts';
import type { Principal, Role } from './auth.ts';
import { HttpError } from './problem.ts';

type BodyView =
  | { kind: 'own'; hide: readonly string[] }
  | { kind: 'anonymised'; minBodies: number; hide: readonly string[] };

export const MARTS: Record<string, { readers: readonly Role[]; body?: BodyView }> = {
  fct_spend_cube: { readers: ['body', 'procurement', 'finance', 'admin'], body: { kind: 'own', hide: [] } },
  fct_shared_suppliers: {
    readers: ['body', 'procurement', 'finance', 'admin'],
    body: {
      kind: 'own',
      // combined − own = the other bodies' total: with two bodies, one body's figure
      hide: ['combined_net_total', 'combined_net_total_at_common_threshold', 'body_share_percent', 'bodies'],
    },
  },
  fct_po_compliance: {
    readers: ['body', 'procurement', 'finance', 'admin'],
    body: { kind: 'own', hide: [] },
  },
  fct_classification_coverage: {
    readers: ['body', 'procurement', 'finance', 'admin'],
    body: { kind: 'own', hide: [] },
  },
  fct_data_freshness: {
    readers: ['body', 'procurement', 'finance', 'admin'],
    body: { kind: 'own', hide: [] },
  },
  fct_contract_coverage: {
    readers: ['body', 'procurement', 'finance', 'admin'],
    body: { kind: 'own', hide: [] },
  },
  fct_price_dispersion: {
    readers: ['body', 'procurement', 'finance', 'admin'],
    // a body sees no other body's name nor its price: the bodies compared are hidden too
    body: {
      kind: 'anonymised',
      minBodies: 4,
      hide: ['cheapest_body_id', 'dearest_body_id', 'body_ids'],
    },
  },
  fct_fragmented_categories: { readers: ['procurement', 'finance', 'admin'] },
  fct_duplicate_payments: { readers: ['procurement', 'finance', 'admin'] },
  fct_contracts: { readers: ['procurement', 'finance', 'admin'] },
  fct_joint_procurement_windows: { readers: ['procurement', 'finance', 'admin'] },
  dim_supplier_entities: { readers: ['procurement', 'finance', 'admin'] },
};

export const MART_NAMES = Object.keys(MARTS) as [string, ...string[]];

/**
 * The row restriction and hidden columns for this caller on this mart, or a 403/404.
 * Values are bound; the identifiers come from the mart's own columns.
 */
export function martView(
  mart: string,
  columns: Column[],
  principal: Principal,
): { conditions: string[]; params: Record<string, DuckDBValue>; columns: Column[] } {
  const policy = MARTS[mart];
  if (!policy) throw new HttpError(404, `No mart named ${mart}. Marts: ${MART_NAMES.join(', ')}.`);
  if (principal.kind !== 'key' || !policy.readers.includes(principal.role)) {
    throw new HttpError(
      403,
      `${mart} is not open to ${principal.kind === 'key' ? `a ${principal.role}` : 'this'} key.`,
    );
  }
  if (principal.role !== 'body') return { conditions: [], params: {}, columns };
  const view = policy.body;
  if (!view) throw new HttpError(403, `${mart} is not open to a body key.`);
  const shown = columns.filter((c) => !view.hide.includes(c.name));
  if (view.kind === 'own') {
    return {
      conditions: [`${quoteIdent('body_id')} = $own_body`],
      params: { own_body: principal.bodyId },
      columns: shown,
    };
  }
  return {
    conditions: [`${quoteIdent('bodies')} >= $min_bodies`],
    params: { min_bodies: view.minBodies },
    columns: shown,
  };
}
