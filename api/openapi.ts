/**
 * The OpenAPI 3.1 document, generated from the routes' own zod schemas (zod 4's JSON Schema
 * output is draft 2020-12, which OpenAPI 3.1 uses as is), and the browsable docs page: Swagger UI
 * served from the swagger-ui-dist package (no CDN).
 */

import express from 'express';
import { absolutePath } from 'swagger-ui-dist';
import { z } from 'zod';
import { problemSchema } from './problem.ts';
import type { RouteSpec } from './route.ts';

type JsonSchema = Record<string, unknown>;

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

/** Path and query parameters, one per property of the route's (object) schema. */
function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input') as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(object.properties ?? {}).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return {
      name,
      in: where,
      required: where === 'path' || (object.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: propertySchema,
      ...(where === 'query' && (propertySchema.anyOf || propertySchema.type === 'array')
        ? { explode: true }
        : {}),
    };
  });
}

/** A form: the route's text fields, and one or more files in `fileField`. */
function multipartSchema(fields: z.ZodType, fileField: string): JsonSchema {
  const object = jsonSchema(fields, 'input') as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return {
    type: 'object',
    properties: {
      ...object.properties,
      [fileField]: { type: 'array', items: { type: 'string', format: 'binary' }, minItems: 1 },
    },
    required: [...(object.required ?? []), fileField],
    additionalProperties: false,
  };
}

const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

export function openApiDocument(routes: readonly RouteSpec[]): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of routes) {
    const success: Record<string, unknown> = {
      description: 'success',
      content: {
        'application/json': { schema: spec.response ? jsonSchema(spec.response, 'output') : {} },
        ...Object.fromEntries((spec.produces ?? []).map((media) => [media, { schema: {} }])),
      },
    };
    const secured = spec.access !== 'public';
    const operation: Record<string, unknown> = {
      operationId: `${spec.method}${spec.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
      summary: spec.summary,
      tags: [spec.tag],
      description: secured
        ? `Roles: ${spec.access === 'session' ? 'any key' : (spec.access as readonly string[]).join(', ')}.`
        : 'No key needed.',
      parameters: [...parameters(spec.params, 'path'), ...parameters(spec.query, 'query')],
      ...(spec.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } },
            },
          }
        : {}),
      ...(spec.multipart
        ? {
            requestBody: {
              required: true,
              content: {
                'multipart/form-data': {
                  schema: multipartSchema(spec.multipart.fields, spec.multipart.fileField),
                },
              },
            },
          }
        : {}),
      ...(spec.rawBody
        ? {
            requestBody: {
              required: true,
              content: { [spec.rawBody]: { schema: { type: 'string', format: 'binary' } } },
            },
          }
        : {}),
      ...(secured ? { security: [{ apiKey: [] }, { session: [] }] } : { security: [] }),
      responses: {
        [String(spec.status ?? (spec.method === 'delete' && !spec.response ? 200 : 200))]: success,
        '400': problemResponse('invalid parameters or body'),
        ...(secured ? { '401': problemResponse('no key, or an unknown, expired or revoked one') } : {}),
        ...(secured ? { '403': problemResponse('the key may not do this') } : {}),
        ...(spec.rawBody || spec.multipart
          ? { '413': problemResponse('the upload is larger than the limit, or has too many files') }
          : {}),
        '429': problemResponse('too many requests'),
        '500': problemResponse('a fault on our side, logged with the request id'),
      },
    };
    const path = openApiPath(spec.path);
    paths[path] = { ...(paths[path] ?? {}), [spec.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'collective-spend API',
      version: '1',
      description:
        'Combined spend of a partnership of public bodies. Money is a decimal string in JSON; table endpoints also answer CSV (formula-safe) and Arrow IPC.',
    },
    servers: [{ url: '/' }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: { Problem: jsonSchema(problemSchema, 'output') },
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'an API key, cs_<id>_<secret> (spend keys create)',
        },
        session: { type: 'apiKey', in: 'cookie', name: 'spend_session' },
      },
    },
  };
}

const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>collective-spend API</title>
<link rel="stylesheet" href="./swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="./swagger-ui-bundle.js"></script><script src="./init.js"></script></body></html>`;

const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#swagger-ui' });`;

/** The browsable docs at /api/v1/docs/: Swagger UI's files from node_modules, our page and init. */
export function docsRouter(): express.Router {
  const router = express.Router();
  router.get('/', (_req, res) => {
    res.type('html').send(DOCS_PAGE);
  });
  router.get('/init.js', (_req, res) => {
    res.type('js').send(DOCS_INIT);
  });
  router.use(express.static(absolutePath(), { index: false }));
  return router;
}
