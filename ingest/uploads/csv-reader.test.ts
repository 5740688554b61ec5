import { describe, expect, it } from 'vitest';
import { detectDelimiter, guardLineLength, readDelimitedRows, TOO_LONG_LINE } from './csv-reader.ts';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function* chunksOf(text: string, size: number) {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

describe('detectDelimiter', () => {
  it('finds the separator that splits every line alike', () => {
    expect(detectDelimiter('a,b,c\n1,2,3\n')).toBe(',');
    expect(detectDelimiter('Supplier\tAmount\tDesc\nAcme, Ltd\t1,234.56\tChairs, tables\n')).toBe('\t');
    expect(detectDelimiter('a;b;c\n"1,5";2;3\n')).toBe(';');
    expect(detectDelimiter('a|b\n1|2\n')).toBe('|');
  });
});

describe('guardLineLength', () => {
  it('replaces over-long lines by a marker line wherever the chunks cut them', async () => {
    const text = `short\n${'x'.repeat(50)}\nafter\n${'y'.repeat(30)}`;
    for (const size of [1, 7, 16, 1000]) {
      const out = (await collect(guardLineLength(chunksOf(text, size), 20))).join('');
      expect(out).toBe(`short\n${TOO_LONG_LINE}50\nafter\n${TOO_LONG_LINE}30`);
    }
  });

  it('passes text with short lines through unchanged', async () => {
    const text = 'a,b\r\n1,2\r\n"x\ny",3\r\n';
    expect((await collect(guardLineLength(chunksOf(text, 4), 20))).join('')).toBe(text);
  });
});

describe('readDelimitedRows', () => {
  it('numbers rows as a spreadsheet does, keeps quoted newlines, and tolerates ragged rows', async () => {
    const rows = await collect(
      readDelimitedRows(chunksOf('a,b,c,\n"multi\nline",2\n\n4,5,6,7,8\n', 5), { maxLineChars: 1000 }),
    );
    expect(rows).toEqual([
      { row: 1, cells: ['a', 'b', 'c', ''] },
      { row: 2, cells: ['multi\nline', '2'] },
      { row: 3, cells: [''] },
      { row: 4, cells: ['4', '5', '6', '7', '8'] },
    ]);
  });
});

describe('line endings', () => {
  it('takes CRLF, LF and CR alike in one file, and keeps them inside quoted cells', async () => {
    // A CRLF header over LF rows used to read as one row: the rows after it hidden in its cells.
    const text =
      'Supplier,Date,Amount,Ref\r\nA,01/11/2023,5.00,R1\nB,02/11/2023,6.00,R2\rC,03/11/2023,7.00,"two\r\nlines"\r\n';
    const rows = await collect(readDelimitedRows(chunksOf(text, 7), { maxLineChars: 1000 }));
    expect(rows.map((r) => r.cells)).toEqual([
      ['Supplier', 'Date', 'Amount', 'Ref'],
      ['A', '01/11/2023', '5.00', 'R1'],
      ['B', '02/11/2023', '6.00', 'R2'],
      ['C', '03/11/2023', '7.00', 'two\r\nlines'],
    ]);
  });
});
