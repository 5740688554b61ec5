/**
 * Membership: the register (status, dates, services, history of changes), a prospective body's
 * case for joining, and the due-diligence spend pack for chosen bodies and a period, each section
 * a table with its CSV export, and the server's printable page and CSV files (docs/membership.md).
 */
import { api } from '../api.js';
import { h, later, section } from '../dom.js';
import { formatMoney } from '../format.js';
import { dataTable } from '../table.js';

const STAFF = ['procurement', 'finance', 'admin'];

export async function render(root, { who }) {
  const register = await api('/api/v1/membership');
  const prospects = register.bodies.filter((b) => b.status === 'prospective');
  root.replaceChildren(
    section('Membership register', registerTables(register)),
    section('Case for joining', caseForJoining(prospects, who)),
    STAFF.includes(who.role) ? section('Due-diligence pack', dueDiligence(register.bodies)) : null,
  );
}

function registerTables(register) {
  const { prospective, active, left } = register.counts;
  return [
    h('p', {}, `${active} active, ${prospective} prospective, ${left} left.`),
    dataTable({
      caption: 'Bodies in the register',
      filename: 'membership-register',
      columns: [
        { key: 'bodyId', label: 'Body' },
        { key: 'name', label: 'Name' },
        { key: 'status', label: 'Status' },
        { key: 'joinedOn', label: 'Joined (planned, if prospective)', kind: 'date' },
        { key: 'leftOn', label: 'Left', kind: 'date' },
        { key: 'servicesInScope', label: 'Services in scope' },
      ],
      rows: register.bodies,
    }),
    dataTable({
      caption: 'Membership changes',
      filename: 'membership-changes',
      pageSize: 25,
      columns: [
        { key: 'effectiveOn', label: 'Takes effect', kind: 'date' },
        { key: 'bodyId', label: 'Body' },
        { key: 'change', label: 'Change' },
        { key: 'status', label: 'Status after' },
        { key: 'servicesInScope', label: 'Services in scope' },
        { key: 'note', label: 'Note' },
        { key: 'recordedBy', label: 'Recorded by' },
      ],
      rows: register.bodies.flatMap((b) => b.history),
      sort: { key: 'effectiveOn', direction: 'descending' },
    }),
  ];
}

/** A DuckDB column type as a table column kind. */
function kindOf(type) {
  const decimal = /^DECIMAL\(\d+,(\d+)\)$/.exec(type);
  if (decimal) return decimal[1] === '2' ? 'money' : 'price';
  if (/INT/.test(type)) return 'count';
  if (type === 'DATE') return 'date';
  return 'text';
}

const label = (name) => {
  const words = name.replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** A pack as the page shows it: its summary, its sections' tables, its caveats, and the server's files. */
function packView(pack, links) {
  const summary = dataTable({
    caption: `${pack.title}: summary`,
    filename: `${pack.kind}-summary`,
    columns: [
      { key: 'label', label: 'Figure' },
      { key: 'value', label: 'Value' },
    ],
    rows: pack.summary.map((s) => ({
      ...s,
      value: /^-?\d+\.\d{2}$/.test(s.value) ? formatMoney(s.value) : s.value,
    })),
    pageSize: 20,
  });
  return [
    h('p', {}, pack.subtitle),
    h(
      'p',
      {},
      h('a', { href: links.html, target: '_blank', rel: 'noopener' }, 'Printable page'),
      ' · CSV from the server: ',
      ...['summary', 'caveats', ...pack.sections.map((s) => s.name)].flatMap((name, i) => [
        i > 0 ? ', ' : '',
        h('a', { href: links.csv(name) }, name),
      ]),
    ),
    summary,
    ...pack.sections.map((s) =>
      h(
        'div',
        { class: 'pack-section' },
        h('h3', {}, s.title),
        s.note ? h('p', { class: 'muted' }, s.note) : null,
        dataTable({
          caption: s.title,
          filename: `${pack.kind}-${s.name}`,
          columns: s.table.columns.map((c) => ({ key: c.name, label: label(c.name), kind: kindOf(c.type) })),
          rows: s.table.rows,
          pageSize: 25,
        }),
      ),
    ),
    h('h3', {}, 'Coverage and caveats'),
    h(
      'ul',
      {},
      pack.caveats.map((c) => h('li', {}, c)),
    ),
  ];
}

function caseForJoining(prospects, who) {
  const own = who.role === 'body';
  const choices = own ? prospects.filter((b) => b.bodyId === who.bodyId) : prospects;
  if (choices.length === 0) {
    return h(
      'p',
      { class: 'muted' },
      own
        ? 'Your body is a member already: its figures are the partnership’s (the due-diligence pack is for staff).'
        : 'No prospective body is registered (spend bodies add <id> --status prospective).',
    );
  }
  const output = h('div');
  const select = h(
    'select',
    { id: 'prospect', name: 'prospect' },
    choices.map((b) => h('option', { value: b.bodyId }, `${b.name} (${b.bodyId})`)),
  );
  const show = () => {
    const id = encodeURIComponent(select.value);
    const base = `/api/v1/packs/case-for-joining/${id}`;
    output.replaceChildren(
      later(async () =>
        packView(await api(base), {
          html: `${base}?format=html`,
          csv: (name) => `${base}?format=csv&section=${name}`,
        }),
      ),
    );
  };
  const form = h(
    'form',
    {
      'aria-label': 'Case for joining',
      onsubmit: (event) => {
        event.preventDefault();
        show();
      },
    },
    h('label', { for: 'prospect' }, 'Prospective body'),
    select,
    h('button', { type: 'submit' }, 'Show the case for joining'),
  );
  show();
  return [form, output];
}

function dueDiligence(bodies) {
  const members = bodies.filter((b) => b.status !== 'prospective');
  const year = new Date().getUTCFullYear();
  const from = h('input', {
    type: 'date',
    id: 'dd-from',
    name: 'from',
    value: `${year - 1}-04-01`,
    required: true,
  });
  const to = h('input', { type: 'date', id: 'dd-to', name: 'to', value: `${year}-03-31`, required: true });
  const chosen = h(
    'select',
    { id: 'dd-bodies', name: 'bodies', multiple: true, size: Math.min(8, members.length) },
    members.map((b) => h('option', { value: b.bodyId }, `${b.name} (${b.status})`)),
  );
  const output = h('div');
  const form = h(
    'form',
    {
      'aria-label': 'Due-diligence pack',
      onsubmit: (event) => {
        event.preventDefault();
        const query = new URLSearchParams({ from: from.value, to: to.value });
        for (const option of chosen.selectedOptions) query.append('bodies', option.value);
        const base = `/api/v1/packs/due-diligence?${query}`;
        output.replaceChildren(
          later(async () =>
            packView(await api(base), {
              html: `${base}&format=html`,
              csv: (name) => `${base}&format=csv&section=${name}`,
            }),
          ),
        );
      },
    },
    h('label', { for: 'dd-from' }, 'From'),
    from,
    h('label', { for: 'dd-to' }, 'To'),
    to,
    h('label', { for: 'dd-bodies' }, 'Bodies (none chosen: every member and leaver)'),
    chosen,
    h('button', { type: 'submit' }, 'Build the pack'),
  );
  return [
    h(
      'p',
      { class: 'muted' },
      'What potential partners expect to see: spend by category, supplier, body and month; contracts and their expiries; addressable and non-addressable spend; coverage and caveats.',
    ),
    form,
    output,
  ];
}
