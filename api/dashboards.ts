/**
 * The web dashboards (dashboards/): every page path answers the same HTML shell, which asks the
 * API who is logged in and loads the page's module; the pages then speak only HTTP to /api/v1.
 * Static files under /assets/, and the few browser builds of libraries the pages use under
 * /vendor/ (read from node_modules, named one by one: nothing else there is served).
 * The pages and their paths are declared once, in dashboards/pages.json.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express from 'express';

const ROOT = resolve(import.meta.dirname, '..');
export const DASHBOARDS_DIR = join(ROOT, 'dashboards');

/** Browser builds served under /vendor/: the URL name → the file in node_modules. */
export const VENDOR_FILES: Record<string, string> = {
  'echarts.mjs': 'echarts/dist/echarts.esm.min.mjs',
  'arrow.js': 'apache-arrow/Arrow.es2015.min.js',
};

export type DashboardPage = { path: string; title: string; roles: string[]; module: string; nav: boolean };

export function dashboardPages(): DashboardPage[] {
  return JSON.parse(readFileSync(join(DASHBOARDS_DIR, 'pages.json'), 'utf8')) as DashboardPage[];
}

const SCRIPT = 'text/javascript; charset=utf-8';

export function dashboardRouter(): express.Router {
  const router = express.Router();
  const shell = readFileSync(join(DASHBOARDS_DIR, 'shell.html'));
  const sendShell: express.RequestHandler = (_req, res) => {
    // the shell holds no data: the page fetches it after asking who is logged in
    res.type('html').set('cache-control', 'no-cache').send(shell);
  };
  router.get('/', sendShell);
  for (const page of dashboardPages()) router.get(page.path, sendShell);
  for (const [name, file] of Object.entries(VENDOR_FILES)) {
    const path = join(ROOT, 'node_modules', file);
    router.get(`/vendor/${name}`, (_req, res, next) => {
      res.sendFile(path, { headers: { 'content-type': SCRIPT }, maxAge: '1h' }, (error) => {
        if (error) next(error);
      });
    });
  }
  router.use(
    '/assets',
    // the browser's files only: not the tests and type declarations that sit beside them
    (req, _res, next) =>
      /\.(js|css|json)$/.test(req.path) && !req.path.endsWith('.test.js') ? next() : next('router'),
    express.static(DASHBOARDS_DIR, {
      index: false,
      fallthrough: true,
      setHeaders: (res, path) => {
        if (path.endsWith('.js') || path.endsWith('.mjs')) res.setHeader('content-type', SCRIPT);
        res.setHeader('cache-control', 'no-cache');
      },
    }),
  );
  return router;
}
