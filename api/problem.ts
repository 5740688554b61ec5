/**
 * Errors as application/problem+json (RFC 9457). A UserError (lib/errors.ts), a refused
 * parameter (zod) or an HttpError is the client's to fix: the right 4xx and its sentence. DuckDB
 * out of memory is capacity, not a fault: 503 with Retry-After, logged as a warning. Anything else
 * is a fault: 500, logged with the request id, and no detail leaks to the client.
 */
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { UserError, type UserErrorCode } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';

export const PROBLEM_JSON = 'application/problem+json';

/** An HTTP answer other than success, decided by the API itself (auth, limits, negotiation). */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * The client hung up before its answer was written (its query interrupted, or the write refused):
 * there is no one to answer and no fault of ours, so it is logged at debug level only.
 */
export class ClientGoneError extends Error {
  override name = 'ClientGoneError';
}

const STATUS_OF: Record<UserErrorCode, number> = {
  'invalid-input': 400,
  'not-found': 404,
  conflict: 409,
  unavailable: 503,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId?: string;
  errors?: { path: string; message: string }[];
};

/** The zod schema of a problem document, for the OpenAPI description. */
export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  requestId: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

/** Maps any thrown value to a problem; `fault` says whether it is ours (log it with its stack). */
export function toProblem(error: unknown): {
  problem: Problem;
  fault: boolean;
  /** Not the client's doing nor a bug: the server lacked room for it (logged as a warning). */
  capacity?: boolean;
  headers: Record<string, string>;
} {
  const make = (status: number, detail?: string, extra: Partial<Problem> = {}) => ({
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    ...(detail ? { detail } : {}),
    ...extra,
  });
  if (error instanceof HttpError)
    return { problem: make(error.status, error.message), fault: false, headers: error.headers };
  if (error instanceof UserError)
    return { problem: make(STATUS_OF[error.code], error.message), fault: false, headers: {} };
  if (error instanceof z.ZodError) {
    const errors = error.issues.map((issue) => ({
      path: issue.path.join('.') || '(root)',
      message: issue.message,
    }));
    return {
      problem: make(400, errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors }),
      fault: false,
      headers: {},
    };
  }
  // body-parser and friends mark client errors with a 4xx status (size, JSON syntax, charset)
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { problem: make(status, (error as Error).message), fault: false, headers: {} };
  }
  // DuckDB's memory_limit reached by this query beside the others running: try again later
  if (error instanceof Error && /^Out of Memory Error/.test(error.message)) {
    return {
      problem: make(
        503,
        'The database has no memory to spare for this query right now; try again shortly, or narrow the filters.',
      ),
      fault: false,
      capacity: true,
      headers: { 'retry-after': '5' },
    };
  }
  return {
    problem: make(500, 'Something went wrong on our side; it has been logged with this request id.'),
    fault: true,
    headers: {},
  };
}

export function sendProblem(res: Response, req: Request, error: unknown, log: Logger): void {
  const requestId = String(req.id ?? '');
  if (error instanceof ClientGoneError) {
    log.debug({ requestId, method: req.method, path: req.path }, 'API request ended: the client went away');
    res.destroy();
    return;
  }
  const { problem, fault, capacity, headers } = toProblem(error);
  if (fault) log.error({ err: error, requestId, method: req.method, path: req.path }, 'API request failed');
  if (capacity)
    log.warn({ err: error, requestId, method: req.method, path: req.path }, 'API request refused: no memory');
  if (res.headersSent) {
    // a streamed answer failed half-way: all we can do is cut it short
    res.destroy();
    return;
  }
  res.status(problem.status).set(headers).type(PROBLEM_JSON);
  res.send(JSON.stringify({ ...problem, instance: req.originalUrl.split('?')[0], requestId }));
}

export function problemHandler(log: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) =>
    sendProblem(res, req, error, log);
}
