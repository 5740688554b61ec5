/**
 * The dashboards as the API serves them: every page path answers the same HTML shell (no data in
 * it, whoever asks), the static files and the two vendor builds with script content types, nothing
 * else from node_modules or outside dashboards/, and the data behind the pages still needs a key.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../ingest/schema-migrations.ts';
import { Database } from '../lib/db.ts';
import { createKey } from '../lib/keys.ts';
import { createLogger } from '../lib/log.ts';
import { startApi } from './app.ts';
import { DASHBOARDS_DIR, dashboardPages } from './dashboards.ts';

let db: Database;
let server: Server;
let base: string;
let adminKey: string;

beforeAll(async () => {
  db = await Database.open({ path: ':memory:', migrationsDir: MIGRATIONS_DIR });
  adminKey = (await db.withConnection((conn) => createKey(conn, { name: 'admin', role: 'admin' }))).key;
  server = await startApi(db, 0, createLogger('silent'));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
  db.close();
});

const PAGE_PATHS = [
  '/',
  '/login',
  '/overview',
  '/buying-power',
  '/suppliers',
  '/savings',
  '/partnership',
  '/uploads',
  '/quality',
  '/membership',
];

describe('pages', () => {
  it('every page path answers the HTML shell without a session, with no data in it', async () => {
    const shell = readFileSync(join(DASHBOARDS_DIR, 'shell.html'), 'utf8');
    for (const path of PAGE_PATHS) {
      const response = await fetch(`${base}${path}`, { redirect: 'manual' });
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toBe('text/html; charset=utf-8');
      expect(await response.text(), path).toBe(shell);
    }
    expect(shell).toContain('<script type="module" src="/assets/js/app.js"></script>');
    expect(shell).not.toMatch(/£|<script>|style=/);
  });

  it('keeps the Content-Security-Policy: scripts from this origin only', async () => {
    const csp = (await fetch(`${base}/overview`)).headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("script-src-attr 'none'");
  });

  it('lists in pages.json exactly the page modules there are, and the paths above', () => {
    const pages = dashboardPages();
    expect(['/', ...pages.map((p) => p.path)].sort()).toEqual([...PAGE_PATHS].sort());
    const modules = readdirSync(join(DASHBOARDS_DIR, 'js', 'pages')).map((f) => f.replace(/\.js$/, ''));
    expect(pages.map((p) => p.module).sort()).toEqual(modules.sort());
  });

  it('answers an unknown path as an API 404, not the shell', async () => {
    const response = await fetch(`${base}/overview-nope`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('static files', () => {
  it('serves the scripts, styles and page list with their content types', async () => {
    for (const [path, type] of [
      ['/assets/js/app.js', 'text/javascript; charset=utf-8'],
      ['/assets/js/pages/overview.js', 'text/javascript; charset=utf-8'],
      ['/assets/app.css', 'text/css; charset=utf-8'],
      ['/assets/pages.json', 'application/json; charset=utf-8'],
      ['/vendor/echarts.mjs', 'text/javascript; charset=utf-8'],
      ['/vendor/arrow.js', 'text/javascript; charset=utf-8'],
    ] as const) {
      const response = await fetch(`${base}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toBe(type);
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });

  it('serves the vendor builds from node_modules byte for byte', async () => {
    const arrow = Buffer.from(await (await fetch(`${base}/vendor/arrow.js`)).arrayBuffer());
    expect(
      arrow.equals(readFileSync(join(DASHBOARDS_DIR, '..', 'node_modules/apache-arrow/Arrow.es2015.min.js'))),
    ).toBe(true);
    const echarts = await (await fetch(`${base}/vendor/echarts.mjs`)).text();
    expect(echarts).toMatch(/export\s*\{/);
  });

  it('serves nothing else of node_modules, and nothing outside dashboards/', async () => {
    for (const path of [
      '/vendor/echarts.js',
      '/vendor/../package.json',
      '/assets/../package.json',
      '/assets/%2e%2e/package.json',
      '/assets/..%2fpackage.json',
      '/node_modules/echarts/package.json',
      '/assets/helpers.test.ts',
      '/assets/js/format.d.ts',
      '/assets/shell.html',
    ]) {
      const response = await fetch(`${base}${path}`);
      expect(response.status, path).not.toBe(200);
    }
  });
});

describe('without a session', () => {
  it('the page loads but its data does not: the API answers 401 until a login', async () => {
    expect((await fetch(`${base}/api/v1/session`)).status).toBe(401);
    expect((await fetch(`${base}/api/v1/bodies`)).status).toBe(401);
    const login = await fetch(`${base}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: adminKey }),
    });
    expect(login.status).toBe(201);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const who = await fetch(`${base}/api/v1/session`, { headers: { cookie } });
    expect(await who.json()).toMatchObject({ name: 'admin', role: 'admin' });
    expect((await fetch(`${base}/api/v1/bodies`, { headers: { cookie } })).status).toBe(200);
  });
});
