import { describe, expect, it } from 'vitest';
import { decodeText, describeEncoding, EncodingScanner, type TextEncoding } from './encoding.ts';

function scan(...chunks: Buffer[]): TextEncoding {
  const scanner = new EncodingScanner();
  for (const chunk of chunks) scanner.update(chunk);
  return scanner.finish();
}

async function decode(bytes: Buffer, encoding: TextEncoding, chunkSize = 3): Promise<string> {
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
  }
  let text = '';
  for await (const part of decodeText(chunks(), encoding)) text += part;
  return text;
}

describe('EncodingScanner', () => {
  it('keeps UTF-8 when a multi-byte character is cut by a chunk boundary', () => {
    const bytes = Buffer.from('Café £12', 'utf8');
    const split = bytes.indexOf(0xc3) + 1;
    expect(scan(bytes.subarray(0, split), bytes.subarray(split))).toEqual({
      name: 'utf-8',
      bom: false,
      dosPound: false,
    });
  });

  it('sees a UTF-8 BOM, and Windows-1252 however late its first non-UTF-8 byte comes', () => {
    expect(scan(Buffer.from('\ufeffa,b\n', 'utf8')).bom).toBe(true);
    const late = Buffer.concat([Buffer.alloc(100_000, 0x61), Buffer.from([0xa3, 0x31])]);
    expect(scan(late.subarray(0, 50_000), late.subarray(50_000)).name).toBe('windows-1252');
  });

  it('reads 0x9C as £ only where a currency sign stands, never inside a word', () => {
    const header = Buffer.concat([Buffer.from('Net Amount('), Buffer.from([0x9c]), Buffer.from(')\r\n')]);
    const pound = scan(header);
    expect(pound).toEqual({ name: 'windows-1252', bom: false, dosPound: true });
    expect(describeEncoding(pound)).toMatch(/0x9C read as £/);
    const word = Buffer.concat([Buffer.from('man'), Buffer.from([0x9c]), Buffer.from('uvre (')]);
    expect(scan(header, word).dosPound).toBe(false);
  });

  it('judges a 0x9C that ends a chunk by the next chunk', () => {
    expect(scan(Buffer.from([0x28, 0x9c]), Buffer.from(')')).dosPound).toBe(true);
  });
});

describe('decodeText', () => {
  it('decodes Windows-1252 (NBSP, en dash, £) and drops a UTF-8 BOM', async () => {
    const cp1252 = Buffer.from([0x41, 0xa0, 0x96, 0x20, 0xa3, 0x31]);
    expect(await decode(cp1252, { name: 'windows-1252', bom: false, dosPound: false })).toBe('A\u00a0– £1');
    const bom = Buffer.from('\ufeffSupplier,Amount', 'utf8');
    expect(await decode(bom, { name: 'utf-8', bom: true, dosPound: false })).toBe('Supplier,Amount');
  });

  it('turns the DOS pound into £', async () => {
    const bytes = Buffer.from([0x28, 0x9c, 0x29]);
    expect(await decode(bytes, { name: 'windows-1252', bom: false, dosPound: true })).toBe('(£)');
  });

  it('decodes UTF-16 little-endian text (Excel "Unicode text")', async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a\tb£', 'utf16le')]);
    const encoding = scan(bytes);
    expect(encoding.name).toBe('utf-16le');
    expect(await decode(bytes, encoding)).toBe('a\tb£');
  });
});
