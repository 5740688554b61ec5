/** The spend cube: filter by period, body, supplier entity, category and currency; group by any of them. */
import { z } from 'zod';
import { queryRows, quoteIdent } from '../../lib/db.ts';
import type { ApiContext } from '../context.ts';
import { martView } from '../marts.ts';
import { negotiate, sendQuery, withQueryTimeout } from '../respond.ts';
import { route } from '../route.ts';
import { bodyId, manyStrings, pageQuery, TABLE_MEDIA, tableResponse } from '../schemas.ts';

/** Grouping names → the cube's columns (an allow-list: nothing else reaches the SQL). */
const GROUPS = {
  month: ['spend_month'],
  body: ['body_id'],
  entity: ['supplier_entity_id', 'supplier_entity_name'],
  category: ['proclass_code', 'proclass_level1'],
  cpv: ['cpv_code'],
  currency: ['currency'],
} as const;
type Group = keyof typeof GROUPS;

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month, YYYY-MM');

const cubeQuery = z.strictObject({
  from: month.optional().meta({ description: 'first month, inclusive' }),
  to: month.optional().meta({ description: 'last month, inclusive' }),
  body: manyStrings(bodyId).optional(),
  entity: manyStrings(z.string().min(1).max(100)).optional(),
  category: manyStrings(z.string().regex(/^[A-Za-z0-9.-]{1,20}$/, 'a ProClass code')).optional(),
  // Totals over several currencies mean nothing: pages that add money up ask for one.
  currency: manyStrings(z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as GBP')).optional(),
  groupBy: z
    .string()
    .regex(/^[a-z]+(,[a-z]+)*$/)
    .default('month,body')
    .pipe(
      z
        .string()
        .transform((text) => text.split(','))
        .pipe(z.array(z.enum(Object.keys(GROUPS) as [Group, ...Group[]])).min(1)),
    )
    .meta({ description: `comma-separated: ${Object.keys(GROUPS).join(', ')}` }),
  ...pageQuery,
});

export function cubeRoutes(context: ApiContext) {
  return [
    route({
      method: 'get',
      path: '/api/v1/cube',
      cachedPerRun: true,
      tag: 'spend',
      summary:
        'Net spend totals from the spend cube, filtered and grouped (a body key sees its own body); split by currency too whenever the rows hold several (name one with `currency` to avoid it)',
      access: ['body', 'procurement', 'finance', 'admin'],
      query: cubeQuery,
      response: tableResponse,
      produces: TABLE_MEDIA,
      handler: async ({ req, res, query, principal }) => {
        const view = martView('fct_spend_cube', [], principal);
        const conditions = [...view.conditions];
        const params: Record<string, string | number | null> = { ...(view.params as Record<string, string>) };
        if (query.from) {
          conditions.push('spend_month >= $from::date');
          params.from = `${query.from}-01`;
        }
        if (query.to) {
          conditions.push('spend_month <= $to::date');
          params.to = `${query.to}-01`;
        }
        const inList = (column: string, values: string[] | undefined, name: string) => {
          if (!values?.length) return;
          conditions.push(`${quoteIdent(column)} in (${values.map((_, i) => `$${name}${i}`).join(', ')})`);
          values.forEach((value, i) => {
            params[`${name}${i}`] = value;
          });
        };
        inList('body_id', query.body, 'body');
        inList('supplier_entity_id', query.entity, 'entity');
        inList('proclass_code', query.category, 'category');
        inList('currency', query.currency, 'currency');
        const where = conditions.length ? ` where ${conditions.join(' and ')}` : '';
        const groups: Group[] = [...query.groupBy];
        // Pounds and euros do not add up: unless the call names one currency or groups by it,
        // the totals are split by currency whenever the rows asked for hold more than one.
        if (!groups.includes('currency') && query.currency?.length !== 1) {
          const [mixed] = await withQueryTimeout(
            context.db,
            context.settings.queryTimeoutMs,
            (conn) =>
              queryRows<{ currencies: number }>(
                conn,
                `select count(distinct currency)::integer as currencies from fct_spend_cube${where}`,
                params,
              ),
            res,
          );
          if ((mixed?.currencies ?? 0) > 1) groups.push('currency');
        }
        const keys = [...new Set(groups.flatMap((g) => GROUPS[g]))].map(quoteIdent);
        await sendQuery(req, res, context.db, {
          sql: `select ${keys.join(', ')}, sum(net_total) as net_total, sum(lines)::bigint as lines,
                       sum(documents)::bigint as documents
                from fct_spend_cube${where} group by ${keys.join(', ')} order by all`,
          params,
          format: negotiate(req, query.format),
          page: { limit: query.limit, offset: query.cursor ?? 0 },
          timeoutMs: context.settings.queryTimeoutMs,
          filename: 'spend-cube',
        });
      },
    }),
  ];
}
