/**
 * Every endpoint is declared once, as data: method, path, who may call it, and the zod schemas
 * of its params, query and body. The same declaration validates each request (unknown fields
 * refused), decides access, and writes the OpenAPI document (api/openapi.ts), so no route can
 * exist without being described.
 */
import type { NextFunction, Request, Response, Router } from 'express';
import { z } from 'zod';
import type { Principal, Role } from './auth.ts';
import type { AnswerCache } from './cache.ts';
import { HttpError } from './problem.ts';

export type Access = 'public' | 'session' | readonly Role[];

export type RouteContext<P, Q, B> = {
  req: Request;
  res: Response;
  params: P;
  query: Q;
  body: B;
  principal: Principal;
  /** Records what a state-changing call did, for the audit log. */
  audit(entry: { target?: string; before?: unknown; after?: unknown }): void;
};

export type RouteSpec<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> = {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express path under /api/v1 (`/bodies/:bodyId`). */
  path: string;
  summary: string;
  tag: string;
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  /** A raw request body of this media type instead of JSON (uploads). */
  rawBody?: string;
  /**
   * A multipart/form-data body (read by the handler, api/multipart.ts): its text fields' schema
   * and the part name files come in, for the document.
   */
  multipart?: { fields: z.ZodType; fileField: string };
  /** The JSON answer's schema, for the document. */
  response?: z.ZodType;
  /** Other media types the answer comes in (table endpoints: CSV, Arrow IPC, SSE). */
  produces?: readonly string[];
  status?: number;
  /**
   * The answer depends only on the marts (and the caller's view): cached per transform run, with
   * an ETag (api/cache.ts).
   */
  cachedPerRun?: boolean;
  /** A body key may only name its own body here (path or query `bodyId`): checked before validation. */
  ownBodyOnly?: boolean;
  handler(context: RouteContext<z.output<P>, z.output<Q>, z.output<B>>): Promise<unknown>;
};

export const emptyObject = z.strictObject({});

/** Declares a route, keeping its schemas' types for the handler. */
export const route = <P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  spec: RouteSpec<P, Q, B>,
): RouteSpec => spec as unknown as RouteSpec;

export type AuthorizeFn = (req: Request, access: Access) => Promise<Principal>;

/** Mounts the routes on a router: access first, then validation, then the handler. */
export function mountRoutes(
  router: Router,
  routes: readonly RouteSpec[],
  authorize: AuthorizeFn,
  answers?: AnswerCache,
): void {
  for (const spec of routes) {
    router[spec.method](spec.path, async (req: Request, res: Response, next: NextFunction) => {
      try {
        const principal = await authorize(req, spec.access);
        res.locals.principal = principal;
        if (spec.ownBodyOnly && principal.kind === 'key' && principal.role === 'body') {
          const named = req.params?.bodyId ?? (req.query as Record<string, unknown>).bodyId;
          if (named !== undefined && named !== principal.bodyId) {
            throw new HttpError(403, 'A body key acts for its own body only.');
          }
        }
        const params = (spec.params ?? emptyObject).parse(req.params ?? {});
        const query = (spec.query ?? emptyObject).parse({ ...(req.query as object) });
        let body: unknown;
        if (spec.rawBody || spec.multipart) body = undefined;
        else if (spec.body) body = spec.body.parse(req.body ?? {});
        else if (req.body !== undefined && Object.keys(req.body as object).length > 0) {
          throw new HttpError(400, `${spec.method.toUpperCase()} ${spec.path} takes no body.`);
        }
        if (spec.cachedPerRun && answers && (await answers.answer(req, res, principal))) return;
        const result = await spec.handler({
          req,
          res,
          params,
          query,
          body,
          principal,
          audit: (entry) => {
            res.locals.audit = entry;
          },
        });
        if (!res.headersSent && !res.writableEnded) {
          if (result === undefined) res.status(204).end();
          // a handler may have set its own status (readyz: 503)
          else res.status(res.statusCode === 200 ? (spec.status ?? 200) : res.statusCode).json(result);
        }
      } catch (error) {
        next(error);
      }
    });
  }
}
