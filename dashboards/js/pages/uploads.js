/**
 * Uploads: drop one or many spend files; each shows a real progress bar for the bytes sent (XHR
 * upload progress), then one for the documents reaching DuckDB (the API's server-sent status
 * events), then its reconciliation report: totals, rejected rows with reasons, the column mapping
 * (correctable: saved for the next upload of that layout) and the upload history.
 */
import { api, bodyNames, csrfToken } from '../api.js';
import { errorNote, h, later, notice, section } from '../dom.js';
import { formatCount, formatDateTime, formatMoney } from '../format.js';
import { dataTable } from '../table.js';

const CAN_UPLOAD = new Set(['body', 'admin']);

/** A file name the API takes (letters, digits and a few marks; no folders). */
export function uploadName(name) {
  const cleaned = name
    .replace(/[^A-Za-z0-9 ._()+,&'-]/g, '_')
    .replace(/\.\.+/g, '.')
    .replace(/^[^A-Za-z0-9]+/, '');
  return (cleaned || 'upload').slice(0, 200);
}

const megabytes = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;

export async function render(root, { who }) {
  const selected = new URLSearchParams(location.search).get('upload');
  const reportBox = h('div');
  if (selected)
    reportBox.append(
      section(
        'Reconciliation report',
        later(() => reportOf(selected, who)),
      ),
    );
  root.replaceChildren(
    CAN_UPLOAD.has(who.role)
      ? uploadSection(who)
      : notice(
          'Uploads are made with a body key (or an admin key); here you can read every upload and its report.',
        ),
    reportBox,
    section(
      'Upload history',
      later(() => history(who)),
    ),
  );
}

function uploadSection(who) {
  const input = h('input', { id: 'upload-files', type: 'file', multiple: true, class: 'visually-hidden' });
  const list = h('div', { class: 'upload-list', 'aria-live': 'polite' });
  let bodySelect = null;
  if (who.role === 'admin') {
    bodySelect = h('select', { id: 'upload-body', required: true });
    bodyNames().then((map) => {
      for (const [id, name] of map) bodySelect.append(h('option', { value: id }, name));
    });
  }
  const start = (files) => {
    const bodyId = who.role === 'body' ? who.bodyId : bodySelect?.value;
    for (const file of files) list.prepend(uploadItem(file, bodyId));
  };
  input.addEventListener('change', () => {
    start([...input.files]);
    input.value = '';
  });
  const zone = h(
    'div',
    { class: 'drop-zone' },
    h('p', {}, 'Drop spend files here (CSV, TSV, XLSX, Peppol UBL XML), one or many, or '),
    h('label', { for: 'upload-files', class: 'button' }, 'Choose spend files'),
    input,
  );
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    start([...event.dataTransfer.files]);
  });
  return section(
    'Upload spend files',
    bodySelect
      ? h(
          'div',
          { class: 'field' },
          h('label', { for: 'upload-body' }, 'Body the files belong to'),
          bodySelect,
        )
      : null,
    who.role === 'body' ? h('p', { class: 'muted' }, `Files are uploaded for ${who.bodyId}.`) : null,
    zone,
    list,
  );
}

/** One file: its two progress bars, then its report. */
function uploadItem(file, bodyId) {
  const name = uploadName(file.name);
  const sent = h('progress', { max: file.size || 1, value: 0, 'aria-label': `Upload of ${name}` });
  const ingest = h('progress', { max: 1, value: 0, 'aria-label': `Ingest of ${name}` });
  const sentText = h('span', {}, `0 of ${megabytes(file.size)}`);
  const ingestText = h('span', {}, 'waiting for the upload');
  const result = h('div');
  const item = h(
    'div',
    { class: 'upload-item' },
    h('h3', {}, name),
    h('div', { class: 'status-line' }, h('span', {}, 'Upload'), sentText),
    sent,
    h('div', { class: 'status-line' }, h('span', {}, 'Ingest'), ingestText),
    ingest,
    result,
  );
  const query = new URLSearchParams({ filename: name });
  if (bodyId) query.set('bodyId', bodyId);
  const xhr = new XMLHttpRequest();
  xhr.open('POST', `/api/v1/uploads?${query}`);
  xhr.setRequestHeader('content-type', 'application/octet-stream');
  xhr.setRequestHeader('x-csrf-token', csrfToken());
  xhr.setRequestHeader('accept', 'application/json');
  xhr.upload.addEventListener('progress', (event) => {
    sent.value = event.loaded;
    sentText.textContent = `${megabytes(event.loaded)} of ${megabytes(file.size)}`;
  });
  xhr.upload.addEventListener('load', () => {
    sent.value = sent.max;
    sentText.textContent = `${megabytes(file.size)} sent; reading and checking the file…`;
  });
  xhr.addEventListener('load', () => {
    let body;
    try {
      body = JSON.parse(xhr.responseText);
    } catch {
      body = { detail: xhr.statusText };
    }
    if (xhr.status >= 300) {
      sentText.textContent = 'refused';
      ingestText.textContent = 'not ingested';
      result.replaceChildren(errorNote(new Error(body.detail ?? `HTTP ${xhr.status}`)));
      return;
    }
    sentText.textContent = `${megabytes(file.size)} sent and checked`;
    result.replaceChildren(reportView(body, bodyId));
    followIngest(body, ingest, ingestText);
  });
  xhr.addEventListener('error', () => {
    result.replaceChildren(errorNote(new Error('The upload did not reach the server.')));
  });
  xhr.send(file);
  return item;
}

/** The ingest bar, from the status events until every accepted document is in DuckDB. */
function followIngest(report, bar, text) {
  const show = (status) => {
    bar.max = Math.max(status.expectedDocuments, 1);
    bar.value = status.expectedDocuments === 0 ? 1 : status.ingestedDocuments;
    text.textContent =
      status.phase === 'ingested'
        ? `ingested: ${formatCount(status.ingestedDocuments)} of ${formatCount(status.expectedDocuments)} documents in the database`
        : `${formatCount(status.ingestedDocuments)} of ${formatCount(status.expectedDocuments)} documents in the database`;
  };
  if (report.status === 'failed') {
    text.textContent = 'nothing to ingest (the file was refused)';
    return;
  }
  const events = new EventSource(`/api/v1/uploads/${encodeURIComponent(report.uploadId)}/events`);
  events.addEventListener('status', (event) => {
    const status = JSON.parse(event.data);
    show(status);
    if (status.phase === 'ingested') events.close();
  });
  events.addEventListener('error', () => {
    events.close();
    // the stream ended or broke: ask once more, so the bar shows where things are
    api(`/api/v1/uploads/${encodeURIComponent(report.uploadId)}/status`).then(show, () => {
      text.textContent = 'status unavailable: see the upload history';
    });
  });
}

async function reportOf(uploadId, who) {
  const report = await api(`/api/v1/uploads/${encodeURIComponent(uploadId)}`);
  return reportView(report, who.role === 'body' ? who.bodyId : report.bodyId);
}

const STATUS_WORDS = {
  uploaded: 'Uploaded: every row accounted for',
  partial: 'Uploaded with rejected rows',
  failed: 'Refused',
  duplicate: 'Already uploaded (the same file): nothing sent again',
};

/** The reconciliation report of one upload. */
function reportView(report, bodyId) {
  const facts = [
    ['Upload', report.uploadId],
    ['Body', report.bodyId],
    ['Status', STATUS_WORDS[report.status] ?? report.status],
    ['Format', [report.format, report.encoding, report.sheet].filter(Boolean).join(', ') || '–'],
    ['Rows read', formatCount(report.rowsRead)],
    ['Accepted', formatCount(report.accepted)],
    ['Rejected', formatCount(report.rejected)],
    ['Skipped (totals, blanks, notes)', formatCount(report.skipped)],
    ['Accepted net total', formatMoney(report.acceptedNetTotal)],
    ['Period', report.period ? `${report.period.from} to ${report.period.to}` : '–'],
    [
      "File's control total",
      report.controlTotal
        ? `${formatMoney(report.controlTotal.value)} (row ${report.controlTotal.row}): ${report.controlTotal.agrees ? 'agrees' : `differs by ${formatMoney(report.controlTotal.difference)}`}`
        : 'none found',
    ],
    ['Uploaded', formatDateTime(report.finishedAt ?? report.startedAt)],
  ];
  return h(
    'div',
    { class: 'report' },
    report.error ? errorNote(new Error(report.error)) : null,
    report.incomplete ? notice(report.incomplete) : null,
    h(
      'dl',
      { class: 'facts' },
      facts.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]),
    ),
    (report.notes ?? []).length
      ? h(
          'ul',
          {},
          report.notes.map((n) => h('li', {}, n)),
        )
      : null,
    (report.overlaps ?? []).length
      ? notice(
          `Months also covered by earlier uploads: ${report.overlaps.map((o) => `${o.file} (${o.months.map((m) => m.month).join(', ')})`).join('; ')}.`,
        )
      : null,
    h('h3', {}, 'Rejected rows'),
    report.rejected > 0
      ? [
          dataTable({
            caption: `Rejected rows of ${report.file}`,
            filename: `rejections-${report.uploadId}`,
            pageSize: 20,
            columns: [
              { key: 'row', label: 'Row', kind: 'count' },
              { key: 'column', label: 'Column' },
              { key: 'field', label: 'Field' },
              { key: 'value', label: 'Value' },
              { key: 'reason', label: 'Reason' },
            ],
            rows: report.rejections ?? [],
          }),
          report.rejectionsNotListed > 0
            ? h(
                'p',
                {},
                `${formatCount(report.rejectionsNotListed)} more rejected rows are in the full list.`,
              )
            : null,
          h(
            'p',
            {},
            h(
              'a',
              { href: `/api/v1/uploads/${encodeURIComponent(report.uploadId)}/rejections?format=csv` },
              'Download every rejected row (CSV)',
            ),
          ),
        ]
      : h('p', { class: 'ok' }, 'No rejected rows.'),
    report.mapping ? mappingView(report, bodyId) : null,
  );
}

/** The columns the upload used for each field; a correction is saved for this file layout. */
function mappingView(report, bodyId) {
  const { mapping } = report;
  const header = [];
  for (const f of mapping.fields) header[f.column] = f.header;
  for (const u of mapping.unused ?? []) header[u.column] = u.header;
  const columns = header.map((name, i) => name ?? `Column ${i + 1}`);
  const selects = new Map();
  const rows = mapping.fields.map((choice) => {
    const id = `map-${report.uploadId}-${choice.field}`;
    const select = h(
      'select',
      { id, 'aria-label': `Column for ${choice.field}` },
      h('option', { value: '' }, '(not used)'),
      columns.map((name) => h('option', { value: name, selected: name === choice.header }, name)),
    );
    selects.set(choice.field, select);
    return h(
      'tr',
      {},
      h('th', { scope: 'row' }, choice.field),
      h('td', {}, select),
      h('td', {}, [choice.how, choice.why].filter(Boolean).join(': ')),
      h('td', {}, (choice.samples ?? []).join(' · ')),
    );
  });
  const message = h('p', { role: 'status' });
  const save = h('button', { type: 'submit' }, 'Save mapping');
  const form = h(
    'form',
    { 'aria-label': `Column mapping of ${report.file}` },
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        {},
        h('caption', {}, `Column mapping of ${report.file} (${mapping.source})`),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Field', 'Column', 'Why', 'Sample values'].map((t) => h('th', { scope: 'col' }, t)),
          ),
        ),
        h('tbody', {}, rows),
      ),
    ),
    (mapping.unused ?? []).length
      ? h(
          'p',
          { class: 'muted' },
          `Columns not used: ${mapping.unused.map((u) => `${u.header} (${u.why})`).join(', ')}.`,
        )
      : null,
    bodyId ? save : h('p', { class: 'muted' }, 'A body key (or admin) corrects the mapping.'),
    message,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const fields = {};
    for (const [field, select] of selects) if (select.value) fields[field] = select.value;
    save.disabled = true;
    try {
      await api(
        `/api/v1/bodies/${encodeURIComponent(bodyId)}/mappings/${encodeURIComponent(mapping.fingerprint)}`,
        {
          method: 'PUT',
          body: { header: columns, mapping: { fields } },
        },
      );
      message.className = 'ok';
      message.textContent =
        'Mapping saved: upload the file again to apply it (later files of this layout use it too).';
    } catch (error) {
      message.className = 'error';
      message.textContent = error.message;
    } finally {
      save.disabled = false;
    }
  });
  return [h('h3', {}, 'Column mapping'), form];
}

async function history(who) {
  const { uploads } = await api('/api/v1/uploads');
  const newestFirst = [...uploads].reverse();
  return dataTable({
    caption: 'Uploads, newest first',
    filename: 'uploads',
    columns: [
      { key: 'createdAt', label: 'When', kind: 'datetime' },
      ...(who.role === 'body' ? [] : [{ key: 'bodyId', label: 'Body' }]),
      {
        key: 'file',
        label: 'File',
        render: (row) => h('a', { href: `/uploads?upload=${encodeURIComponent(row.uploadId)}` }, row.file),
      },
      { key: 'status', label: 'Status' },
      { key: 'accepted', label: 'Accepted rows', kind: 'count' },
      { key: 'rejected', label: 'Rejected rows', kind: 'count' },
      { key: 'acceptedNetTotal', label: 'Accepted net total', kind: 'money' },
    ],
    rows: newestFirst,
    pageSize: 25,
  });
}
