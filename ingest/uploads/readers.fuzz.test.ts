/**
 * Property tests (fast-check) on the readers: generated good inputs must read back exactly
 * (a wrong amount, date or cell is a "silent corruption"), and generated bad inputs must never
 * crash (only the reader's own, reported error is allowed). Expected values are built from the
 * generated parts, never from the code under test. The totals are printed at the end.
 */
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { buildXlsx } from '../../tests/fixtures/uploads/xlsx.ts';
import { parseAmount } from './amounts.ts';
import { CsvSyntaxError, readDelimitedRows } from './csv-reader.ts';
import { parseDate } from './dates.ts';
import { readUbl, UblError } from './ubl-reader.ts';
import { readWorkbook, WorkbookError } from './xlsx-reader.ts';

const tally = { tried: 0, crashes: 0, corruptions: 0 };
/** Runs per property; FUZZ_RUNS raises it for a longer run (e.g. FUZZ_RUNS=20000). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

/** Runs `read`; an error that is not `allowed` is a crash (counted, then failed on). */
async function noCrash<T>(read: () => T | Promise<T>, allowed: (error: unknown) => boolean) {
  tally.tried++;
  try {
    return await read();
  } catch (error) {
    if (allowed(error)) return undefined;
    tally.crashes++;
    throw error;
  }
}

function corruptIf(wrong: boolean, what: string) {
  if (wrong) tally.corruptions++;
  expect(wrong, what).toBe(false);
}

const groupThousands = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

describe('readers under generated input', () => {
  it('amounts: every way the product accepts of writing an exact pence value reads back to it', () => {
    const written = fc.record({
      pence: fc.bigInt({ min: -(10n ** 13n - 1n), max: 10n ** 13n - 1n }),
      places: fc.constantFrom(0, 1, 2),
      grouped: fc.boolean(),
      sign: fc.constantFrom('minus', 'trailing-minus', 'parentheses', 'cr', 'cr-tight', 'plus-or-dr'),
      currency: fc.constantFrom('', '£', '£ ', 'GBP ', ' GBP'),
      currencyInsideSign: fc.boolean(),
      pad: fc.constantFrom('', ' ', '\u00a0', '  '),
    });
    fc.assert(
      fc.property(written, (w) => {
        tally.tried++;
        // Fewer places written means the pence must be a whole number of them.
        const step = w.places === 0 ? 100n : w.places === 1 ? 10n : 1n;
        const pence = w.pence - (w.pence % step);
        const negative = pence < 0n;
        const size = negative ? -pence : pence;
        const whole = (size / 100n).toString();
        const fraction = (size % 100n).toString().padStart(2, '0').slice(0, w.places);
        const digits = `${w.grouped ? groupThousands(whole) : whole}${w.places > 0 ? `.${fraction}` : ''}`;
        const prefix = w.currency.endsWith(' ') || w.currency === '£' ? w.currency : '';
        const suffix = w.currency.startsWith(' ') ? w.currency : '';
        const money = `${prefix}${digits}${suffix}`;
        let text: string;
        if (!negative) {
          text = w.sign === 'plus-or-dr' ? (w.currencyInsideSign ? `+${money}` : `${money} DR`) : money;
        } else if (w.sign === 'parentheses') text = `(${money})`;
        else if (w.sign === 'trailing-minus') text = `${money}-`;
        else if (w.sign === 'cr') text = `${money} CR`;
        else if (w.sign === 'cr-tight') text = `${money}CR`;
        else text = w.currencyInsideSign || !prefix ? `-${money}` : `${prefix}-${digits}${suffix}`;
        text = `${w.pad}${text}${w.pad}`;
        const read = parseAmount(text);
        corruptIf(!read.ok || read.pence !== pence, `${JSON.stringify(text)} should read as ${pence} pence`);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('amounts: spoiled amounts (sub-penny digits, two signs, bad grouping, letters…) are refused, never a number', () => {
    const spoilers: [string, (whole: string, fraction: string, at: number) => string | null][] = [
      ['a third decimal', (w, f) => `${w}.${f}7`],
      ['two minus signs', (w, f) => `--${w}.${f}`],
      ['minus in parentheses', (w, f) => `(-${w}.${f})`],
      ['minus and CR', (w, f) => `-${w}.${f} CR`],
      ['minus at both ends', (w, f) => `-${w}.${f}-`],
      ['two decimal points', (w, f) => `${w}.${f}.5`],
      [
        'a letter among the digits',
        (w, f, at) => {
          const digits = `${w}${f}`;
          const i = at % (digits.length + 1);
          const letters = 'OolIabexZ';
          const spoilt = `${digits.slice(0, i)}${letters[at % letters.length]}${digits.slice(i)}`;
          return `${spoilt.slice(0, spoilt.length - 2)}.${spoilt.slice(-2)}`;
        },
      ],
      [
        'a comma off the thousands',
        (w, f, at) => {
          if (w.length < 2) return null;
          const k = 1 + (at % (w.length - 1));
          if (w.length - k === 3 && k <= 3) return null; // that one is a real grouping
          return `${w.slice(0, k)},${w.slice(k)}.${f}`;
        },
      ],
      ['an exponent', (w, f) => `${w}.${f}e2`],
      ['two currencies', (w, f) => `£${w}.${f} GBP`],
      ['an open parenthesis', (w, f) => `(${w}.${f}`],
      [
        'European separators',
        (w, f) => (w.length > 3 ? `${w.slice(0, -3)}.${w.slice(-3)},${f}` : `${w},${f}`),
      ],
      [
        'spaces among the digits',
        (w, f, at) => {
          const i = 1 + (at % Math.max(1, w.length - 1));
          return w.length < 2 ? null : `${w.slice(0, i)} ${w.slice(i)}.${f}`;
        },
      ],
    ];
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        fc.nat({ max: spoilers.length - 1 }),
        fc.nat(),
        (pence, which, at) => {
          const [what, spoil] = spoilers[which] as (typeof spoilers)[number];
          const text = spoil((pence / 100n).toString(), (pence % 100n).toString().padStart(2, '0'), at);
          if (text === null) return;
          tally.tried++;
          const read = parseAmount(text);
          corruptIf(read.ok, `${JSON.stringify(text)} (${what}) read as ${read.ok ? read.pence : ''} pence`);
        },
      ),
      { numRuns: RUNS * 2 },
    );
    for (const words of [
      '',
      '£',
      '-',
      '()',
      '.',
      'CR',
      'NaN',
      'Infinity',
      '-Infinity',
      'null',
      '1e400',
      '0x1F',
    ]) {
      tally.tried++;
      corruptIf(parseAmount(words).ok, `${JSON.stringify(words)} read as a number`);
    }
  });

  it('amounts: any text either is refused or reads as digits it contains', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        tally.tried++;
        const read = parseAmount(text);
        if (read.ok) {
          // An amount can only come from digits in the text, and its size from those digits.
          const digits = text.replace(/\D/g, '').replace(/^0+/, '');
          const size = (read.pence < 0n ? -read.pence : read.pence).toString();
          corruptIf(!/\d/.test(text) || (size !== '0' && !digits.startsWith(size.replace(/0+$/, ''))), text);
        }
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('dates: every listed format of a real date reads back to it; any text is refused or a real date', () => {
    const MONTHS = [
      'January',
      'February',
      'March',
      'April',
      'May',
      'June',
      'July',
      'August',
      'September',
      'October',
      'November',
      'December',
    ];
    const day = fc.date({
      min: new Date('1990-01-01T00:00:00Z'),
      max: new Date('2060-12-31T00:00:00Z'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(day, fc.constantFrom('dmy', 'iso', 'long', 'short'), (date, form) => {
        tally.tried++;
        const y = date.getUTCFullYear();
        const m = date.getUTCMonth() + 1;
        const d = date.getUTCDate();
        const pad = (n: number) => String(n).padStart(2, '0');
        const month = MONTHS[m - 1] ?? '';
        const text =
          form === 'dmy'
            ? `${pad(d)}/${pad(m)}/${y}`
            : form === 'iso'
              ? `${y}-${pad(m)}-${pad(d)} 00:00:00`
              : form === 'long'
                ? `${d} ${month} ${y}`
                : `${d} ${month.slice(0, 3)} ${y}`;
        const read = parseDate(text);
        corruptIf(!read.ok || read.iso !== `${y}-${pad(m)}-${pad(d)}`, text);
      }),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (text) => {
        tally.tried++;
        const read = parseDate(text);
        if (read.ok) {
          const back = new Date(`${read.iso}T00:00:00Z`);
          corruptIf(
            Number.isNaN(back.getTime()) || back.toISOString().slice(0, 10) !== read.iso,
            `${text} → ${read.iso}`,
          );
        }
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('dates: a day/month/year that does not exist (31/02, 29/02 of a common year, month 13, day 0) is refused, never moved', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 1890, max: 2110 }),
        fc.constantFrom('/', '-', '.'),
        (day, month, year, separator) => {
          tally.tried++;
          const text = `${String(day).padStart(2, '0')}${separator}${String(month).padStart(2, '0')}${separator}${year}`;
          // Real iff the calendar (JS Date in UTC, not the product's code) gives the same day
          // back, within the years the product takes (1900–2100).
          const date = new Date(Date.UTC(year, month - 1, day));
          const real =
            month >= 1 &&
            date.getUTCFullYear() === year &&
            date.getUTCMonth() === month - 1 &&
            date.getUTCDate() === day &&
            year >= 1900 &&
            year <= 2100;
          const read = parseDate(text);
          const expected = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
          corruptIf(
            real ? !read.ok || read.iso !== expected : read.ok,
            `${text} → ${read.ok ? read.iso : read.reason} (real: ${real})`,
          );
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('CSV: any table, quoted as a spreadsheet writes it, reads back cell for cell', async () => {
    const cell = fc.string({
      unit: fc.constantFrom('a', 'Z', '1', ',', '"', '\n', ' ', '£', 'é', ';'),
      maxLength: 12,
    });
    const table = fc.array(fc.array(cell, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(table, async (rows) => {
        const text = rows
          .map((cells) => cells.map((c) => `"${c.replaceAll('"', '""')}"`).join(','))
          .join('\r\n');
        const read = await noCrash(
          async () => {
            const out: string[][] = [];
            for await (const row of readDelimitedRows(Readable.from([text]), {
              maxLineChars: 10_000,
              delimiter: ',',
            })) {
              out.push(row.cells);
            }
            return out;
          },
          () => false,
        );
        corruptIf(JSON.stringify(read) !== JSON.stringify(rows), text);
      }),
      { numRuns: RUNS },
    );
  });

  it('CSV: any text is read or refused with a CsvSyntaxError, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (text) => {
        await noCrash(
          async () => {
            for await (const _ of readDelimitedRows(Readable.from([text]), { maxLineChars: 50 })) {
              // read every row
            }
          },
          (error) => error instanceof CsvSyntaxError,
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('XLSX: stored amounts read back digit for digit; damaged workbooks are refused, never a crash', async () => {
    const amount = fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }).map((p) => {
      const size = p < 0n ? -p : p;
      return `${p < 0n ? '-' : ''}${size / 100n}.${(size % 100n).toString().padStart(2, '0')}`;
    });
    await fc.assert(
      fc.asyncProperty(fc.array(amount, { minLength: 1, maxLength: 5 }), async (amounts) => {
        const bytes = buildXlsx([{ name: 'S', rows: amounts.map((a) => [{ number: a }]) }]);
        const sheets = await noCrash(
          () => readWorkbook(bytes),
          () => false,
        );
        const read = sheets?.[0]?.rows.map((r) => r.cells[0]) ?? [];
        // Stored digits come back as written, give or take trailing zeros of the fraction.
        const same = read.every(
          (text, i) =>
            text !== undefined &&
            Number.isFinite(Number(text)) &&
            trimZeros(text) === trimZeros(amounts[i] ?? ''),
        );
        corruptIf(read.length !== amounts.length || !same, `${amounts} → ${read}`);
      }),
      { numRuns: 60 },
    );
    const base = buildXlsx([
      {
        name: 'S',
        rows: [
          ['Supplier Name', 'Payment Date', 'Amount'],
          ['A', '01/11/2023', { number: '1.00' }],
        ],
      },
    ]);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ at: fc.nat({ max: base.length - 1 }), byte: fc.nat({ max: 255 }) }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.nat({ max: base.length }),
        async (flips, cut) => {
          const bytes = Buffer.from(base.subarray(0, Math.max(cut, 30)));
          for (const { at, byte } of flips) if (at < bytes.length) bytes[at] = byte;
          await noCrash(
            () => readWorkbook(bytes),
            (error) => error instanceof WorkbookError,
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('UBL: any text, or a damaged invoice, is read or refused with a UblError, never a crash', () => {
    const invoice = `<?xml version="1.0"?><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"><cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID><cbc:ID>1</cbc:ID><cbc:IssueDate>2023-11-01</cbc:IssueDate><cbc:DocumentCurrencyCode>GBP</cbc:DocumentCurrencyCode><cac:AccountingSupplierParty><cac:Party><cac:PartyLegalEntity><cbc:RegistrationName>Acme</cbc:RegistrationName></cac:PartyLegalEntity></cac:Party></cac:AccountingSupplierParty><cac:LegalMonetaryTotal><cbc:TaxExclusiveAmount currencyID="GBP">10.00</cbc:TaxExclusiveAmount></cac:LegalMonetaryTotal></Invoice>`;
    const ctx = { bodyId: 'b', uploadId: 'u', file: 'f.xml' };
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc
            .tuple(
              fc.nat({ max: invoice.length }),
              fc.nat({ max: invoice.length }),
              fc.string({ maxLength: 20 }),
            )
            .map(([a, b, s]) => invoice.slice(0, Math.min(a, b)) + s + invoice.slice(Math.max(a, b))),
        ),
        (xml) => {
          tally.tried++;
          try {
            readUbl(xml, ctx);
          } catch (error) {
            if (error instanceof UblError) return;
            tally.crashes++;
            throw error;
          }
        },
      ),
      // Found by this test in CI: a processing instruction the validator passes and the parser refuses.
      { numRuns: RUNS * 2, examples: [[invoice.replace('<?xml', "<?'xml")]] },
    );
  });

  it('UBL: the TaxExclusiveAmount written in any plain decimal form is the invoice net, exactly; a spoiled one is a UblError naming the field', () => {
    const ctx = { bodyId: 'b', uploadId: 'u', file: 'f.xml' };
    const invoiceWith = (amount: string) =>
      `<?xml version="1.0"?><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"><cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID><cbc:ID>1</cbc:ID><cbc:IssueDate>2023-11-01</cbc:IssueDate><cbc:DocumentCurrencyCode>GBP</cbc:DocumentCurrencyCode><cac:AccountingSupplierParty><cac:Party><cac:PartyLegalEntity><cbc:RegistrationName>Acme</cbc:RegistrationName></cac:PartyLegalEntity></cac:Party></cac:AccountingSupplierParty><cac:LegalMonetaryTotal><cbc:TaxExclusiveAmount currencyID="GBP">${amount}</cbc:TaxExclusiveAmount></cac:LegalMonetaryTotal></Invoice>`;
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 13n), max: 10n ** 13n }),
        fc.integer({ min: 0, max: 2 }),
        fc.oneof(fc.constant(null), fc.constantFrom('7', '.5.0', ',0', 'e2', '£', ' 1')),
        (pence, trailingZeros, spoiler) => {
          tally.tried++;
          const size = pence < 0n ? -pence : pence;
          const plain = `${pence < 0n ? '-' : ''}${size / 100n}.${(size % 100n).toString().padStart(2, '0')}${'0'.repeat(trailingZeros)}`;
          const text = spoiler === null ? plain : `${plain}${spoiler}`;
          try {
            const read = readUbl(invoiceWith(text), ctx);
            const net = read.kind === 'invoice' ? read.invoice.netAmount : undefined;
            // The expected net: the pence written back with two places, by hand.
            corruptIf(
              spoiler !== null || net !== plain.slice(0, plain.length - trailingZeros),
              `${text} → ${net}`,
            );
          } catch (error) {
            if (!(error instanceof UblError)) {
              tally.crashes++;
              throw error;
            }
            corruptIf(spoiler === null, `${text} refused: ${error.message}`);
            expect(error.field, error.message).toBe('netAmount');
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  afterAll(() => {
    process.stdout.write(
      `readers fuzz: bad inputs tried: ${tally.tried}, crashes: ${tally.crashes}, silent corruptions: ${tally.corruptions}\n`,
    );
  });
});

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}
