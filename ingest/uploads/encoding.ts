/**
 * Text encoding of an uploaded file, decided from ALL of its bytes (the scan pass sees every
 * chunk): UTF-8 with or without a BOM when every byte sequence is valid UTF-8, UTF-16 when it
 * has a UTF-16 BOM, otherwise Windows-1252. Some files come from DOS-era tools that write `£`
 * as 0x9C (code page 437/850), which Windows-1252 reads as `œ`: when every 0x9C of the file
 * stands where a currency sign would (before a digit, after a bracket) and none sits inside a
 * word, 0x9C is read as `£`.
 */
import { isUtf8 } from 'node:buffer';

export type TextEncoding = {
  /** The WHATWG name the decoder uses. */
  name: 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';
  bom: boolean;
  /** 0x9C means `£` (DOS code page), not `œ`. */
  dosPound: boolean;
};

export function describeEncoding(encoding: TextEncoding): string {
  if (encoding.name === 'windows-1252') {
    return encoding.dosPound ? 'Windows-1252, with 0x9C read as £ (DOS code page)' : 'Windows-1252';
  }
  const name = encoding.name === 'utf-8' ? 'UTF-8' : encoding.name.toUpperCase();
  return `${name}${encoding.bom ? ' with BOM' : ''}`;
}

const DOS_POUND = 0x9c;

/** Feed it every chunk of the file, in order; then ask for the encoding. */
export class EncodingScanner {
  private first: Buffer | null = null;
  private utf8Valid = true;
  /** Bytes of a UTF-8 sequence cut by the chunk boundary, carried into the next chunk. */
  private carry: Buffer = Buffer.alloc(0);
  private previousByte = -1;
  private currencyPounds = 0;
  private wordPounds = 0;
  /** A 0x9C that ended a chunk waits for the next chunk's first byte to be judged. */
  private pendingPoundAtEnd = false;
  private previousBeforePending = -1;

  update(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.first === null) this.first = Buffer.from(chunk.subarray(0, 4));
    if (this.pendingPoundAtEnd) this.countPound(this.previousBeforePending, chunk[0] ?? -1);
    this.pendingPoundAtEnd = false;
    if (this.utf8Valid) this.checkUtf8(chunk);
    let at = chunk.indexOf(DOS_POUND);
    while (at >= 0) {
      const before = at > 0 ? (chunk[at - 1] ?? -1) : this.previousByte;
      if (at === chunk.length - 1) {
        this.pendingPoundAtEnd = true;
        this.previousBeforePending = before;
      } else {
        this.countPound(before, chunk[at + 1] ?? -1);
      }
      at = chunk.indexOf(DOS_POUND, at + 1);
    }
    this.previousByte = chunk[chunk.length - 1] ?? -1;
  }

  finish(): TextEncoding {
    if (this.pendingPoundAtEnd) this.countPound(this.previousBeforePending, -1);
    const head = this.first ?? Buffer.alloc(0);
    if (head[0] === 0xff && head[1] === 0xfe) return { name: 'utf-16le', bom: true, dosPound: false };
    if (head[0] === 0xfe && head[1] === 0xff) return { name: 'utf-16be', bom: true, dosPound: false };
    const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
    if (this.utf8Valid && this.carry.length === 0) return { name: 'utf-8', bom, dosPound: false };
    return {
      name: 'windows-1252',
      bom: false,
      dosPound: this.currencyPounds > 0 && this.wordPounds === 0,
    };
  }

  private checkUtf8(chunk: Buffer): void {
    const bytes = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const cut = incompleteTailStart(bytes);
    this.carry = Buffer.from(bytes.subarray(cut));
    if (!isUtf8(bytes.subarray(0, cut))) this.utf8Valid = false;
  }

  private countPound(before: number, after: number): void {
    const isLetter = (b: number) => (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
    if (isLetter(before) && isLetter(after)) this.wordPounds++;
    else if ((after >= 0x30 && after <= 0x39) || before === 0x28 || after === 0x29) this.currencyPounds++;
  }
}

/** Where a multi-byte UTF-8 sequence that the buffer cuts short begins (buffer length if none). */
function incompleteTailStart(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: keep looking for the lead
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}

/** Decodes a byte stream into text chunks with the scanned encoding (BOM removed). */
export async function* decodeText(
  bytes: AsyncIterable<Buffer>,
  encoding: TextEncoding,
): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding.name, { ignoreBOM: false });
  for await (const chunk of bytes) {
    const text = decoder.decode(chunk, { stream: true });
    if (text) yield encoding.dosPound ? text.replaceAll('œ', '£') : text;
  }
  const rest = decoder.decode();
  if (rest) yield encoding.dosPound ? rest.replaceAll('œ', '£') : rest;
}
