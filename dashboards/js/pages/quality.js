/**
 * Data quality and pipeline: dead letters (rejected messages, replayed by an admin), rejected
 * rows of uploads, classification coverage by value, suppliers the resolver could not tie to an
 * identifier, the transform runs and the consumer lag.
 */
import { api, apiArrow, apiPost, bodyNames } from '../api.js';
import { chart } from '../chart.js';
import { h, later, section } from '../dom.js';
import { compareDecimals, formatCount } from '../format.js';
import { dataTable } from '../table.js';

export async function render(root, { who }) {
  const names = bodyNames();
  const bodyLabel = (map) => (row) => map.get(row.body_id ?? row.bodyId) ?? row.body_id ?? row.bodyId ?? '–';
  root.replaceChildren(
    section('Consumer lag', later(consumerLag)),
    section(
      'Dead letters',
      later(() => deadLetters(who)),
    ),
    section('Rejected rows', later(rejectedRows)),
    section(
      'Classification coverage',
      later(async () => coverage(bodyLabel(await names))),
    ),
    section('Unmatched suppliers', later(unmatchedSuppliers)),
    section(
      'Transform runs',
      later(() => transformRuns(who)),
    ),
  );
}

async function consumerLag() {
  let lag;
  try {
    lag = await api('/api/v1/ingest/lag');
  } catch (error) {
    if (error.status === 503) return h('p', { class: 'muted' }, error.message);
    throw error;
  }
  return [
    h(
      'p',
      {},
      lag.behind === '0'
        ? h('span', { class: 'ok' }, 'Ingest is up to date: no message waiting.')
        : `${formatCount(lag.behind)} messages waiting to be ingested.`,
    ),
    dataTable({
      caption: 'Consumer lag per partition',
      filename: 'consumer-lag',
      columns: [
        { key: 'topic', label: 'Topic' },
        { key: 'partition', label: 'Partition', kind: 'count' },
        { key: 'stored', label: 'Next offset stored', kind: 'count' },
        { key: 'high', label: 'High watermark', kind: 'count' },
        { key: 'behind', label: 'Behind', kind: 'count' },
      ],
      rows: lag.partitions,
      pageSize: 20,
    }),
  ];
}

async function deadLetters(who) {
  const { total, deadLetters: rows } = await api('/api/v1/ingest/dead-letters?limit=5000');
  const message = h('p', { role: 'status' });
  const replay =
    who.role === 'admin' && total > 0
      ? h(
          'button',
          {
            type: 'button',
            onclick: async (event) => {
              event.target.disabled = true;
              message.textContent = 'Replaying…';
              try {
                const result = await apiPost('/api/v1/ingest/dead-letters/replay', {});
                message.className = 'ok';
                message.textContent = `Replayed: ${JSON.stringify(result)}`;
              } catch (error) {
                message.className = 'error';
                message.textContent = error.message;
              } finally {
                event.target.disabled = false;
              }
            },
          },
          'Replay dead letters',
        )
      : null;
  return [
    h(
      'p',
      {},
      `${formatCount(total)} rejected messages outstanding.`,
      who.role === 'admin'
        ? ' Replay them once the cause is fixed (a body registered, say): what is now valid is stored, exactly once; the rest stays.'
        : ' An admin can replay them.',
    ),
    replay,
    message,
    dataTable({
      caption: 'Outstanding dead letters',
      filename: 'dead-letters',
      pageSize: 25,
      columns: [
        { key: 'rejectedAt', label: 'Rejected at', kind: 'datetime' },
        { key: 'bodyId', label: 'Body' },
        { key: 'reasonCode', label: 'Reason code' },
        { key: 'reason', label: 'Reason' },
        { key: 'key', label: 'Message key' },
        { key: 'topic', label: 'Topic' },
        { key: 'partition', label: 'Partition', kind: 'count' },
        { key: 'offset', label: 'Offset', kind: 'count' },
      ],
      rows,
    }),
  ];
}

async function rejectedRows() {
  const { uploads } = await api('/api/v1/uploads');
  const withRejections = uploads.filter((u) => u.rejected > 0).reverse();
  return dataTable({
    caption: 'Uploads with rejected rows',
    filename: 'uploads-with-rejections',
    empty: 'No upload has rejected rows.',
    pageSize: 25,
    columns: [
      { key: 'createdAt', label: 'When', kind: 'datetime' },
      { key: 'bodyId', label: 'Body' },
      {
        key: 'file',
        label: 'File',
        render: (r) => h('a', { href: `/uploads?upload=${encodeURIComponent(r.uploadId)}` }, r.file),
      },
      { key: 'rejected', label: 'Rejected rows', kind: 'count' },
      { key: 'accepted', label: 'Accepted rows', kind: 'count' },
      {
        key: 'uploadId',
        label: 'Rejected rows (CSV)',
        render: (r) =>
          h(
            'a',
            { href: `/api/v1/uploads/${encodeURIComponent(r.uploadId)}/rejections?format=csv` },
            `Rejections of ${r.file}`,
          ),
      },
    ],
    rows: withRejections,
  });
}

async function coverage(bodyLabel) {
  const { rows } = await api('/api/v1/marts/fct_classification_coverage?limit=10000');
  const sorted = [...rows].sort((a, b) => String(a.body_id).localeCompare(String(b.body_id)));
  return [
    chart(
      "Bar chart of the share of each body's spend (by value) classified to a ProClass category",
      {
        tooltip: { trigger: 'axis', valueFormatter: (v) => `${Number(v).toFixed(1)}%` },
        grid: { left: 200, right: 24, top: 8, bottom: 30 },
        xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
        yAxis: {
          type: 'category',
          inverse: true,
          data: sorted.map(bodyLabel),
          axisLabel: { width: 190, overflow: 'truncate' },
        },
        series: [{ type: 'bar', name: 'Classified by value', data: sorted.map((r) => r.classified_percent) }],
      },
      { height: Math.max(200, sorted.length * 34) },
    ),
    dataTable({
      caption: 'Classification coverage by value',
      filename: 'classification-coverage',
      columns: [
        { key: 'body_id', label: 'Body', render: bodyLabel, csv: (r) => r.body_id },
        { key: 'value', label: 'Spend', kind: 'money' },
        { key: 'classified_value', label: 'Classified', kind: 'money' },
        { key: 'classified_percent', label: 'Classified %', kind: 'percent' },
        { key: 'own_code_value', label: 'By own code', kind: 'money' },
        { key: 'rule_value', label: 'By rule', kind: 'money' },
        { key: 'supplier_dominant_value', label: "By supplier's usual category", kind: 'money' },
        { key: 'proclass_level1_percent', label: 'Level 1 %', kind: 'percent' },
      ],
      rows: sorted,
    }),
  ];
}

async function unmatchedSuppliers() {
  const { rows } = await apiArrow('/api/v1/suppliers?limit=1000000');
  const empty = (list) => !list || (Array.isArray(list) ? list.length === 0 : list === '[]' || list === '');
  const unmatched = rows
    .filter((r) => empty(r.vat_numbers) && empty(r.company_numbers) && empty(r.charity_numbers))
    .sort((a, b) => compareDecimals(b.gbp_net_total ?? '0', a.gbp_net_total ?? '0'));
  return [
    h(
      'p',
      { class: 'muted' },
      `${formatCount(unmatched.length)} of ${formatCount(rows.length)} supplier entities rest on names alone (no VAT, company or charity number): check them on the Suppliers page.`,
    ),
    dataTable({
      caption: 'Supplier entities without an identifier',
      filename: 'suppliers-without-identifier',
      pageSize: 25,
      columns: [
        {
          key: 'entity_name',
          label: 'Supplier',
          render: (r) =>
            h('a', { href: `/suppliers?entity=${encodeURIComponent(r.entity_id)}` }, r.entity_name),
        },
        { key: 'aliases', label: 'Names', kind: 'count' },
        { key: 'bodies', label: 'Bodies', kind: 'count' },
        { key: 'gbp_net_total', label: 'Net spend', kind: 'money' },
      ],
      rows: unmatched,
    }),
  ];
}

async function transformRuns(who) {
  const { runs } = await api('/api/v1/transforms/runs');
  const message = h('p', { role: 'status' });
  const runNow =
    who.role === 'admin'
      ? h(
          'button',
          {
            type: 'button',
            onclick: async (event) => {
              event.target.disabled = true;
              message.textContent = 'Building the models…';
              try {
                const summary = await apiPost('/api/v1/transforms/runs', {});
                message.className = 'ok';
                message.textContent = `Built ${summary.models?.length ?? ''} models (${summary.failed ?? 0} failed). Reload to see the runs.`;
              } catch (error) {
                message.className = 'error';
                message.textContent = error.message;
              } finally {
                event.target.disabled = false;
              }
            },
          },
          'Run transforms now',
        )
      : null;
  const failed = runs.filter((r) => r.status !== 'success').length;
  return [
    h(
      'p',
      {},
      failed
        ? h('span', { class: 'error' }, `${failed} models did not build at their latest run.`)
        : h('span', { class: 'ok' }, 'Every model built at its latest run.'),
    ),
    runNow,
    message,
    dataTable({
      caption: 'Latest run of each model',
      filename: 'transform-runs',
      columns: [
        { key: 'model', label: 'Model' },
        { key: 'status', label: 'Status' },
        { key: 'started_at', label: 'Started', kind: 'datetime' },
        { key: 'duration_ms', label: 'Duration (ms)', kind: 'count' },
        { key: 'rows_written', label: 'Rows written', kind: 'count' },
        { key: 'mode', label: 'Mode' },
        { key: 'error', label: 'Error' },
      ],
      rows: runs,
      pageSize: 50,
    }),
  ];
}
