/**
 * Page filters kept in the URL query string, so a view can be bookmarked and shared. A spec names
 * each filter and its kind: 'month' (YYYY-MM), 'text', 'list' (repeated parameter), 'year'.
 * Values that do not fit their kind are dropped, never passed on to the API.
 */
const VALID = {
  month: (v) => /^\d{4}-(0[1-9]|1[0-2])$/.test(v),
  year: (v) => /^\d{4}$/.test(v),
  text: (v) => v.length > 0 && v.length <= 200,
  list: (v) => v.length > 0 && v.length <= 100,
};

/** The filters in a query string ("?from=2024-01&body=a&body=b"), by the spec. */
export function readFilters(search, spec) {
  const params = new URLSearchParams(search);
  const state = {};
  for (const [name, kind] of Object.entries(spec)) {
    const values = params.getAll(name).filter((v) => VALID[kind](v));
    if (kind === 'list') state[name] = [...new Set(values)];
    else if (values.length > 0) state[name] = values[0];
  }
  return state;
}

/** The query string for a state ("" when no filter is set); lists repeat their parameter, in order. */
export function writeFilters(state, spec) {
  const params = new URLSearchParams();
  for (const [name, kind] of Object.entries(spec)) {
    const value = state[name];
    if (kind === 'list') {
      for (const v of value ?? []) if (VALID.list(v)) params.append(name, v);
    } else if (value !== undefined && value !== null && value !== '' && VALID[kind](String(value))) {
      params.set(name, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The same state as API query parameters, under the API's own names (e.g. {body: 'body'}). */
export function toApiQuery(state, names) {
  const params = new URLSearchParams();
  for (const [name, apiName] of Object.entries(names)) {
    const value = state[name];
    if (Array.isArray(value)) for (const v of value) params.append(apiName, v);
    else if (value !== undefined && value !== '') params.set(apiName, String(value));
  }
  return params.toString();
}
