/**
 * A real headless Chromium for the dashboard tests and the first-paint benchmark: Debian's
 * `chromium` package driven by playwright-core (never a browser Playwright downloads). The binary
 * is CHROMIUM_PATH, else /usr/bin/chromium; `.ci/run` installs it with apt when missing.
 * Locally a missing browser skips the browser tests with a message; under CI=true it fails the
 * run (tests/helpers/shared-data.ts). No vitest imports here: bench/dashboards.ts uses it too.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Flags for a quiet, isolated browser on a shared CI machine: no GPU, no sandbox (CI runs as
 * root), no network of its own (updates, sync, QUIC, first-run pages). Playwright's launch()
 * gives every run a fresh temporary profile (--user-data-dir) and deletes it on close.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Whether the browser binary is there and executable. */
export function chromiumInstalled(path = CHROMIUM_PATH): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The sentence shown (or thrown under CI) when there is no browser. */
export const MISSING_CHROMIUM = `${CHROMIUM_PATH} (install Debian's chromium: apt-get install -y chromium, or set CHROMIUM_PATH)`;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/** Desktop laptop size for screenshots and first paint. */
export const VIEWPORT = { width: 1280, height: 800 };

/**
 * Resolves once a dashboard page has drawn: the shell has set the title, the page's module has
 * filled `#page` (empty while the module loads) and nothing is marked aria-busy any more (each
 * part loading its data is, until it is drawn: dashboards/js/dom.js `later`). The moment is kept
 * in the page as `window.drawnAt` (ms from navigation start), for the benchmark.
 */
export async function drawn(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    type Element = { textContent: string; childElementCount: number };
    const win = globalThis as unknown as {
      document: { querySelector(selector: string): Element | null };
      performance: { now(): number };
      drawnAt?: number;
    };
    const done =
      win.document.querySelector('#page-title')?.textContent !== 'Loading…' &&
      (win.document.querySelector('#page')?.childElementCount ?? 0) > 0 &&
      !win.document.querySelector('[aria-busy="true"]');
    if (done) win.drawnAt ??= win.performance.now();
    return done;
  });
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export type AxeViolation = {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: string[]; failureSummary?: string }[];
};

/** Runs axe-core in the page; its serious and critical violations. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  // evaluated through the DevTools protocol, as @axe-core/playwright does: the pages' CSP forbids
  // inline scripts, and the test must not loosen it
  await page.evaluate(AXE_SOURCE);
  // runs in the page (the project's TypeScript has no DOM types): window.axe, window.document
  const violations = await page.evaluate(async () => {
    const win = globalThis as unknown as {
      axe: { run: (context: unknown, options: unknown) => Promise<{ violations: AxeViolation[] }> };
      document: unknown;
    };
    // axe's default rule set: WCAG 2.x A/AA and its best practices
    const result = await win.axe.run(win.document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Violations as lines a reader can act on: rule, impact, help, and the first few elements. */
export function describeViolations(page: string, violations: AxeViolation[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .slice(0, 5)
        .map((n) => `    ${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ').trim()}`);
      const more = v.nodes.length > 5 ? [`    … and ${v.nodes.length - 5} more`] : [];
      return [`${page}: ${v.id} (${v.impact}) ${v.help} — ${v.helpUrl}`, ...nodes, ...more].join('\n');
    })
    .join('\n');
}
