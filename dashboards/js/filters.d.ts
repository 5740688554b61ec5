export type FilterKind = 'month' | 'year' | 'text' | 'list';
export type FilterState = Record<string, string | string[] | undefined>;
export function readFilters(search: string, spec: Record<string, FilterKind>): FilterState;
export function writeFilters(state: FilterState, spec: Record<string, FilterKind>): string;
export function toApiQuery(state: FilterState, names: Record<string, string>): string;
