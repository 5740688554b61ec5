/**
 * An upload over HTTP goes through the same path as `spend upload`: a real file from
 * ../shared/datasets, posted to a real `spend serve` owner (Kafka consumers and API in this
 * process), followed over server-sent events until it is in DuckDB, reconciles to the same
 * figures as the CLI uploading the same file into a pipeline of its own.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { basename, resolve } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { serveApi } from '../cli/serve.ts';
import { summarise, type UploadReport } from '../ingest/uploads/report.ts';
import { createLogger } from '../lib/log.ts';
import type { Stats } from '../lib/stats.ts';
import { runOperation } from '../owner/operations.ts';
import { startOwner } from '../owner/process.ts';
import { createPipeline } from '../tests/helpers/pipeline.ts';

const FILE = resolve(
  import.meta.dirname,
  '../../shared/datasets/uk-spend/2023-11/hyndburn/November-23-csv.csv',
);
const BODY = 'hyndburn';
const available = existsSync(FILE) || process.env.CI === 'true';

describe.runIf(available)('upload over HTTP', () => {
  it('reconciles to the same figures as the CLI', async () => {
    // The CLI, on a pipeline of its own.
    const viaCli = await createPipeline();
    const added = await viaCli.cli([
      'bodies',
      'add',
      BODY,
      '--name',
      'Hyndburn BC',
      '--joined',
      '2023-04-01',
    ]);
    expect(added.code, added.stderr).toBe(0);
    const uploaded = await viaCli.cli(['upload', '--body', BODY, '--wait', '--json', FILE]);
    expect(uploaded.code, uploaded.stderr).toBe(0);
    const cliSummary = JSON.parse(uploaded.stdout.trim().split('\n')[0] ?? '{}') as ReturnType<
      typeof summarise
    >;
    const cliStats = await viaCli.stats();

    // HTTP, into a `spend serve` owner of another pipeline.
    const viaHttp = await createPipeline();
    const log = createLogger('silent');
    const owner = await startOwner(viaHttp.config, log, { api: serveApi(viaHttp.config, log) });
    onTestFinished(() => owner.stop());
    const address = owner.api?.address() as AddressInfo | undefined;
    const base = `http://127.0.0.1:${address?.port}`;
    await runOperation(owner.db, 'bodies.add', { bodyId: BODY, name: 'Hyndburn BC', joinedOn: '2023-04-01' });
    const { key } = (await runOperation(owner.db, 'keys.create', {
      name: 'hyndburn',
      role: 'body',
      bodyId: BODY,
    })) as {
      key: string;
    };
    const auth = { authorization: `Bearer ${key}` };
    const response = await fetch(`${base}/api/v1/uploads?filename=${encodeURIComponent(basename(FILE))}`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/csv' },
      body: readFileSync(FILE),
    });
    expect(response.status, await response.clone().text()).toBe(201);
    const report = (await response.json()) as UploadReport;

    // Follow it over server-sent events until every document is in DuckDB.
    const events = await fetch(`${base}/api/v1/uploads/${report.uploadId}/events`, { headers: auth });
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    const stream = await events.text();
    const last = JSON.parse(stream.trim().split('\n\n').at(-1)?.split('\ndata: ')[1] ?? '{}') as {
      phase: string;
      ingested: { invoices: number; invoiceNetTotal: string; deadLettered: number };
    };
    expect(last.phase).toBe('ingested');
    expect(last.ingested.deadLettered).toBe(0);

    const httpSummary = summarise(report);
    for (const field of [
      'file',
      'rowsRead',
      'accepted',
      'rejected',
      'skipped',
      'acceptedNetTotal',
      'controlTotal',
      'controlTotalAgrees',
    ] as const) {
      expect(httpSummary[field], field).toEqual(cliSummary[field]);
    }
    expect(last.ingested.invoiceNetTotal).toBe(report.acceptedNetTotal);
    const httpStats = (await runOperation(owner.db, 'stats', {})) as Stats;
    expect(httpStats.bodies).toEqual(cliStats.bodies);

    // The rejected rows come back as CSV, the same rows as the report counts.
    const rejections = await fetch(`${base}/api/v1/uploads/${report.uploadId}/rejections`, { headers: auth });
    expect(rejections.headers.get('content-type')).toContain('text/csv');
    const lines = (await rejections.text()).split('\r\n').filter(Boolean);
    expect(lines.length - 1).toBe(report.rejected);
  }, 300_000);
});
