/**
 * The one way pages talk to the API: JSON calls with the session cookie and, for changes, the
 * session's CSRF token; Arrow IPC for big tables (decoded by apache-arrow, loaded on first use);
 * problem+json errors as ApiError with the API's own sentence.
 */
import { applyScale } from './format.js';

const CSRF_KEY = 'collective-spend.csrf';

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

async function problemOf(response) {
  try {
    const body = await response.json();
    const first = Array.isArray(body.errors) && body.errors[0];
    return [body.detail ?? body.title, first ? `${first.path ?? ''} ${first.message ?? ''}`.trim() : '']
      .filter(Boolean)
      .join(': ');
  } catch {
    return response.statusText || `HTTP ${response.status}`;
  }
}

/** A session that has ended sends the user to the login page, back here afterwards. */
function toLogin() {
  const next = `${location.pathname}${location.search}`;
  location.assign(`/login?next=${encodeURIComponent(next)}`);
}

async function send(path, { method = 'GET', body, headers = {}, accept = 'application/json' } = {}) {
  const sent = { accept, ...headers };
  if (method !== 'GET') {
    const token = localStorage.getItem(CSRF_KEY);
    if (token) sent['x-csrf-token'] = token;
  }
  let payload = body;
  if (body !== undefined && typeof body !== 'string' && !(body instanceof Blob)) {
    sent['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const response = await fetch(path, { method, headers: sent, body: payload, credentials: 'same-origin' });
  if (response.status === 401 && !path.startsWith('/api/v1/session')) {
    toLogin();
    throw new ApiError(401, 'Your session has ended: log in again.');
  }
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  return response;
}

/** A JSON call; the parsed answer (undefined when there is none). */
export async function api(path, options = {}) {
  const response = await send(path, options);
  if (response.status === 204) return undefined;
  const type = response.headers.get('content-type') ?? '';
  return type.includes('json') ? response.json() : response.text();
}

export const apiPost = (path, body) => api(path, { method: 'POST', body });

export async function login(key) {
  const session = await api('/api/v1/session', { method: 'POST', body: { key } });
  localStorage.setItem(CSRF_KEY, session.csrfToken);
  return session;
}

export async function logout() {
  try {
    await api('/api/v1/session', { method: 'DELETE' });
  } finally {
    localStorage.removeItem(CSRF_KEY);
  }
}

/** Who is logged in ({name, role, bodyId}), or null. */
export async function whoAmI() {
  try {
    return await api('/api/v1/session');
  } catch (error) {
    if (error.status === 401) return null;
    throw error;
  }
}

export const csrfToken = () => localStorage.getItem(CSRF_KEY) ?? '';

let arrowLoading;
/** apache-arrow's browser build, loaded once, on the first Arrow table (not before first paint). */
function loadArrow() {
  arrowLoading ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/vendor/arrow.js';
    script.onload = () => resolve(window.Arrow);
    script.onerror = () => reject(new Error('The Arrow library did not load.'));
    document.head.append(script);
  });
  return arrowLoading;
}

/** One cell as the JSON answers give it: decimals and 64-bit integers as exact strings, dates ISO. */
function converter(Arrow, type) {
  if (Arrow.DataType.isDecimal(type)) return (v) => (v === null ? null : applyScale(String(v), type.scale));
  if (Arrow.DataType.isDate(type)) return (v) => (v === null ? null : new Date(v).toISOString().slice(0, 10));
  if (Arrow.DataType.isTimestamp(type)) return (v) => (v === null ? null : new Date(Number(v)).toISOString());
  if (Arrow.DataType.isInt(type) && type.bitWidth === 64) return (v) => (v === null ? null : String(v));
  return (v) => v;
}

/** A table endpoint as Arrow IPC, decoded into {columns, rows} like its JSON answer. */
export async function apiArrow(path) {
  const [Arrow, response] = await Promise.all([
    loadArrow(),
    send(path, { accept: 'application/vnd.apache.arrow.stream' }),
  ]);
  const table = Arrow.tableFromIPC(new Uint8Array(await response.arrayBuffer()));
  const fields = table.schema.fields;
  const vectors = fields.map((_, i) => table.getChildAt(i));
  const convert = fields.map((f) => converter(Arrow, f.type));
  const rows = new Array(table.numRows);
  for (let r = 0; r < table.numRows; r++) {
    const row = {};
    for (let c = 0; c < fields.length; c++) row[fields[c].name] = convert[c](vectors[c].get(r));
    rows[r] = row;
  }
  return { columns: fields.map((f) => ({ name: f.name, type: String(f.type) })), rows };
}

/** The register's names by body id (any key reads it), for labels. */
let bodiesLoading;
export function bodyNames() {
  bodiesLoading ??= api('/api/v1/bodies').then(
    ({ bodies }) => new Map(bodies.map((b) => [b.bodyId, b.name])),
  );
  return bodiesLoading;
}
