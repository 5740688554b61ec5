/** Shared zod pieces of the API's boundary (the OpenAPI document is generated from them). */
import { z } from 'zod';
import { bodyId } from '../lib/fields.ts';
import { cursorQuery, formatQuery } from './respond.ts';

export { bodyId };

/** Rows in a page when the caller does not say. */
export const DEFAULT_PAGE_ROWS = 1000;

export const pageQuery = {
  limit: z.coerce.number().int().positive().max(1_000_000).default(DEFAULT_PAGE_ROWS),
  cursor: cursorQuery.optional(),
  format: formatQuery,
};

/** One value or several (`?where=a&where=b`), as a list. */
export const manyStrings = (item: z.ZodString) =>
  z.union([item, z.array(item).max(20)]).transform((v) => (Array.isArray(v) ? v : [v]));

export const tableResponse = z.object({
  columns: z.array(z.object({ name: z.string(), type: z.string() })),
  rows: z.array(z.record(z.string(), z.unknown())),
  nextCursor: z.string().nullable(),
});

export const TABLE_MEDIA = ['text/csv', 'application/vnd.apache.arrow.stream'] as const;

/** A body of the register as the API answers it (GET /bodies, /membership). */
export const bodySchema = z.object({
  bodyId: z.string(),
  name: z.string(),
  kind: z.string(),
  status: z.string(),
  joinedOn: z.string().nullable(),
  leftOn: z.string().nullable(),
  servicesInScope: z.array(z.string()),
  publishingThreshold: z.number().nullable(),
});
