/**
 * The dashboards end to end in a real headless Chromium (tests/helpers/browser.ts) against a real
 * `spend serve` owner on a small demo data set (tests/helpers/dashboard-demo.ts, one per file),
 * with the real broker. Locally the file skips when there is no Chromium; under CI=true that fails.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../lib/keys.ts';
import { chromiumInstalled, launchChromium, MISSING_CHROMIUM, VIEWPORT } from './helpers/browser.ts';
import { type DashboardDemo, OTHER_BODY, OWN_BODY, startDashboardDemo } from './helpers/dashboard-demo.ts';
import { testBrokers } from './helpers/kafka.ts';
import { requiredUnderCi } from './helpers/shared-data.ts';

const ROLES: Role[] = ['body', 'procurement', 'finance', 'admin'];
const browserPresent = requiredUnderCi('Dashboard browser tests', chromiumInstalled(), MISSING_CHROMIUM);

describe.runIf(browserPresent)('dashboards in a real browser', () => {
  let demo: DashboardDemo;
  let browser: Browser;

  beforeAll(async () => {
    [demo, browser] = await Promise.all([startDashboardDemo({ brokers: testBrokers() }), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  /** A fresh browser context (own cookies) logged in with the role's key through the API. */
  async function sessionFor(role: Role): Promise<BrowserContext> {
    const context = await browser.newContext({ baseURL: demo.baseUrl, viewport: VIEWPORT });
    const login = await context.request.post('/api/v1/session', { data: { key: demo.keys[role] } });
    expect(login.status(), await login.text()).toBe(201);
    return context;
  }

  it('logs in with each role and the session says who it is', async () => {
    for (const role of ROLES) {
      const context = await sessionFor(role);
      const who = await context.request.get('/api/v1/session');
      expect(await who.json()).toMatchObject({ role, bodyId: role === 'body' ? OWN_BODY : null });
      await context.close();
    }
  });

  it("a body key cannot read another body's figures through the API", async () => {
    const body = await sessionFor('body');
    const admin = await sessionFor('admin');
    const cube = (context: BrowserContext) =>
      context.request
        .get(`/api/v1/cube?body=${OTHER_BODY}&groupBy=body`)
        .then((r) => r.json() as Promise<{ rows: { body_id: string }[] }>);
    // The other body has spend (the admin sees it); the body key gets none of it.
    expect((await cube(admin)).rows.map((r) => r.body_id)).toEqual([OTHER_BODY]);
    expect((await cube(body)).rows).toEqual([]);
    const uploads = await body.request.get(`/api/v1/uploads?bodyId=${OTHER_BODY}`);
    expect(uploads.status()).toBe(403);
    await body.close();
    await admin.close();
  });
});
