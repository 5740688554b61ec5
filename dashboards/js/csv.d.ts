export type CsvColumn = { key: string; label?: string; numeric?: boolean };
export function toCsv(columns: CsvColumn[], rows: Record<string, unknown>[]): string;
