/** Every mart by name, with its own columns as filters (allow-listed, values bound), paged and streamed. */

import type { DuckDBValue } from '@duckdb/node-api';
import { z } from 'zod';
import { queryRows, quoteIdent } from '../../lib/db.ts';
import type { Column } from '../../lib/output.ts';
import { runOperation } from '../../owner/operations.ts';
import type { ApiContext } from '../context.ts';
import { MART_NAMES, martView } from '../marts.ts';
import { HttpError } from '../problem.ts';
import { negotiate, sendQuery } from '../respond.ts';
import { route } from '../route.ts';
import { manyStrings, pageQuery, TABLE_MEDIA, tableResponse } from '../schemas.ts';

const martQuery = z.strictObject({
  where: manyStrings(z.string().min(1).max(500)).optional().meta({
    description: 'column, operator (= != < <= > >= ~) and value, e.g. body_id=north-shire-cc; repeatable',
  }),
  ...pageQuery,
});

/** Reads a mart for the caller: its documented columns, the caller's view of its rows. */
export async function sendMart(
  context: ApiContext,
  request: { req: Parameters<typeof sendQuery>[0]; res: Parameters<typeof sendQuery>[1] },
  principal: Parameters<typeof martView>[2],
  mart: string,
  query: z.output<typeof martQuery>,
): Promise<void> {
  const format = negotiate(request.req, query.format);
  const built = (await runOperation(context.db, 'query.prepare', {
    model: mart,
    where: query.where ?? [],
  })) as {
    sql: string;
    params: Record<string, DuckDBValue>;
    columns: Column[];
  };
  // the operation has checked every filter's column and operator: read back just the columns
  const where = (query.where ?? []).map((text) => ({
    column: /^[A-Za-z_][A-Za-z0-9_]*/.exec(text)?.[0] ?? '',
  }));
  const view = martView(mart, built.columns, principal);
  const hidden = new Set(built.columns.map((c) => c.name));
  for (const c of view.columns) hidden.delete(c.name);
  for (const filter of where) {
    if (hidden.has(filter.column))
      throw new HttpError(400, `${mart} has no column ${filter.column} open to this key.`);
  }
  const select = view.columns.map((c) => quoteIdent(c.name)).join(', ');
  const conditions = view.conditions.length ? ` where ${view.conditions.join(' and ')}` : '';
  await sendQuery(request.req, request.res, context.db, {
    sql: `select ${select} from (${built.sql})${conditions} order by all`,
    params: { ...built.params, ...view.params },
    format,
    page: { limit: query.limit, offset: query.cursor ?? 0 },
    timeoutMs: context.settings.queryTimeoutMs,
    filename: mart,
  });
}

export function martRoutes(context: ApiContext) {
  return [
    route({
      method: 'get',
      path: '/api/v1/marts',
      tag: 'marts',
      summary: 'The marts, with their columns and who may read them',
      access: ['body', 'procurement', 'finance', 'admin'],
      handler: async ({ principal }) => {
        const columns = await context.db.withConnection((conn) =>
          queryRows<{ mart: string; name: string; type: string }>(
            conn,
            `select table_name as mart, column_name as name, data_type as type from information_schema.columns
             where table_schema = 'main' order by table_name, ordinal_position`,
          ),
        );
        return {
          marts: MART_NAMES.filter((mart) => {
            try {
              martView(mart, [], principal);
              return true;
            } catch {
              return false;
            }
          }).map((mart) => ({
            name: mart,
            columns: martView(
              mart,
              columns.filter((r) => r.mart === mart).map((r) => ({ name: r.name, type: r.type })),
              principal,
            ).columns,
          })),
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/marts/:mart',
      cachedPerRun: true,
      tag: 'marts',
      summary: 'Read a mart: filters on its own columns, cursor pages, JSON, CSV or Arrow IPC',
      access: ['body', 'procurement', 'finance', 'admin'],
      params: z.strictObject({ mart: z.enum(MART_NAMES) }),
      query: martQuery,
      response: tableResponse,
      produces: TABLE_MEDIA,
      handler: async ({ req, res, params, query, principal }) => {
        await sendMart(context, { req, res }, principal, params.mart, query);
      },
    }),
  ];
}
