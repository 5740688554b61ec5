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
const DECEMBER = resolve(
  import.meta.dirname,
  '../../shared/datasets/uk-spend/2023-12/hyndburn/December-23.csv',
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
    // an upload limit above the two files together, small enough to refuse an oversize form
    const maxUploadBytes = 200_000;
    const httpConfig = { ...viaHttp.config, api: { ...viaHttp.config.api, maxUploadBytes } };
    const owner = await startOwner(httpConfig, log, { api: serveApi(httpConfig, log) });
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

    // Multipart/form-data: the same file again and December's, in one request. The first is
    // recognised as already uploaded (same path, same fingerprint), the second goes in; the CLI
    // uploads December too, and both databases hold the same again.
    const form = new FormData();
    form.append('bodyId', BODY);
    form.append('file', new Blob([readFileSync(FILE)]), basename(FILE));
    form.append('file', new Blob([readFileSync(DECEMBER)]), basename(DECEMBER));
    const multi = await fetch(`${base}/api/v1/uploads/multipart`, {
      method: 'POST',
      headers: auth,
      body: form,
    });
    expect(multi.status, await multi.clone().text()).toBe(201);
    const { uploads } = (await multi.json()) as { uploads: { file: string; report: UploadReport }[] };
    expect(uploads.map((u) => u.file)).toEqual([basename(FILE), basename(DECEMBER)]);
    expect(uploads[0]?.report.status).toBe('duplicate');
    expect(uploads[0]?.report.duplicateOf).toBe(report.uploadId);
    const december = uploads[1]?.report as UploadReport;
    expect(december.status).toBe('uploaded');
    const decemberEvents = await (
      await fetch(`${base}/api/v1/uploads/${december.uploadId}/events`, { headers: auth })
    ).text();
    expect(decemberEvents.trim().split('\n\n').at(-1)).toContain('"phase":"ingested"');
    const cliDecember = await viaCli.cli(['upload', '--body', BODY, '--wait', '--json', DECEMBER]);
    expect(cliDecember.code, cliDecember.stderr).toBe(0);
    const cliDecemberSummary = JSON.parse(cliDecember.stdout.trim().split('\n')[0] ?? '{}') as ReturnType<
      typeof summarise
    >;
    expect(summarise(december).acceptedNetTotal).toBe(cliDecemberSummary.acceptedNetTotal);
    expect(summarise(december).rejected).toBe(cliDecemberSummary.rejected);
    expect(((await runOperation(owner.db, 'stats', {})) as Stats).bodies).toEqual(
      (await viaCli.stats()).bodies,
    );

    // Refused with problem+json before anything is uploaded: an unknown field, a path for a file
    // name, more bytes than the limit.
    const uploadsBefore = ((await runOperation(owner.db, 'uploads.list', { bodyId: BODY })) as unknown[])
      .length;
    const refusedForm = async (build: (f: FormData) => void, status: number, detail: string) => {
      const f = new FormData();
      build(f);
      const answer = await fetch(`${base}/api/v1/uploads/multipart`, {
        method: 'POST',
        headers: auth,
        body: f,
      });
      expect(answer.status, await answer.clone().text()).toBe(status);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(((await answer.json()) as { detail: string }).detail).toContain(detail);
    };
    await refusedForm(
      (f) => {
        f.append('bodyId', BODY);
        f.append('sql', 'drop table invoices');
        f.append('file', new Blob(['a,b\n']), 'x.csv');
      },
      400,
      'Unknown form field "sql"',
    );
    await refusedForm((f) => f.append('file', new Blob(['a,b\n']), '../../etc/passwd'), 400, 'file name');
    await refusedForm(
      (f) => {
        f.append('bodyId', BODY);
        f.append('file', new Blob([Buffer.alloc(maxUploadBytes / 2 + 1, 'a')]), 'one.csv');
        f.append('file', new Blob([Buffer.alloc(maxUploadBytes / 2 + 1, 'a')]), 'two.csv');
      },
      413,
      `larger than the ${maxUploadBytes} bytes`,
    );
    expect(((await runOperation(owner.db, 'uploads.list', { bodyId: BODY })) as unknown[]).length).toBe(
      uploadsBefore,
    );
  }, 300_000);
});
