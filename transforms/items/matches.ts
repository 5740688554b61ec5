/**
 * Description matches (fct_item_match_suggestions) and analysts' decisions on them, kept in
 * `item_match_decisions` like supplier decisions: a confirmation makes the variants the analyst
 * saw one item, which then enters price comparisons and savings; a split keeps the lines apart
 * and ends the suggestion. The latest decision on a match wins; decisions take effect on the
 * next transforms run (int_item_lines reads them).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { queryRows } from '../../lib/db.ts';
import { UserError } from '../../lib/errors.ts';

export const MATCH_STATUSES = ['suggested', 'confirmed', 'split', 'new-variants'] as const;

export const matchListParams = z.strictObject({ status: z.enum(MATCH_STATUSES).optional() });

export const matchDecisionParams = z.strictObject({
  matchId: z.string().regex(/^[a-f0-9]{32}$/, 'a match id (32 hex digits, from fct_item_match_suggestions)'),
  decision: z.enum(['confirm', 'split']),
  decidedBy: z.string().min(1).max(200),
  note: z.string().max(1000).optional(),
});
export type MatchDecisionParams = z.infer<typeof matchDecisionParams>;

export type MatchSuggestion = {
  match_id: string;
  supplier_entity_id: string;
  category_code: string | null;
  signature: string;
  variants: string[];
  descriptions: string[];
  bodies: string;
  body_ids: string[];
  lines: string;
  score: string;
  status: (typeof MATCH_STATUSES)[number];
  decided_by: string | null;
  decided_at: string | null;
};

export type MatchDecisionResult = { matchId: string; decision: 'confirm' | 'split'; variants: string[] };

const SUGGESTION_COLUMNS = `match_id, supplier_entity_id, category_code, signature, variants, descriptions,
  bodies, body_ids, lines, score, status, decided_by, decided_at`;

/** The suggestions as of the last transforms run, best score first. */
export async function listMatches(
  conn: DuckDBConnection,
  params: z.infer<typeof matchListParams>,
): Promise<MatchSuggestion[]> {
  return queryRows<MatchSuggestion>(
    conn,
    `select ${SUGGESTION_COLUMNS} from fct_item_match_suggestions
     where $status is null or status = $status
     order by score desc, lines desc, match_id`,
    { status: params.status ?? null },
  );
}

/** Records a decision on a suggestion; it covers the variants the suggestion shows now. */
export async function decideMatch(
  conn: DuckDBConnection,
  params: MatchDecisionParams,
): Promise<MatchDecisionResult> {
  const [match] = await queryRows<MatchSuggestion>(
    conn,
    `select ${SUGGESTION_COLUMNS} from fct_item_match_suggestions where match_id = $matchId`,
    { matchId: params.matchId },
  );
  if (!match) {
    throw new UserError(
      'not-found',
      `No suggested match ${params.matchId} (as of the last transforms run; see "spend items matches").`,
    );
  }
  await conn.run(
    `insert into item_match_decisions (match_id, decision, variants, decided_by, note)
     values ($matchId, $decision, $variants::varchar[], $decidedBy, $note)`,
    {
      matchId: params.matchId,
      decision: params.decision,
      // bound as JSON text: the list of variants, cast by DuckDB
      variants: JSON.stringify(match.variants),
      decidedBy: params.decidedBy,
      note: params.note ?? null,
    },
  );
  return { matchId: params.matchId, decision: params.decision, variants: match.variants };
}
