/**
 * One spend row → one invoice.v1 message, or the reasons it cannot be one (each naming the
 * column). Every message is checked against the invoice.v1 contract here, so a row that could
 * not be ingested is rejected in the upload's report and never reaches the dead-letter topic.
 */
import { invoicesHandler } from '../topics/invoices/handler.ts';
import { type InvoiceV1, invoiceV1 } from '../topics/invoices/schema.ts';
import { formatPence, parseAmount } from './amounts.ts';
import { type DateResult, parseDate } from './dates.ts';
import type { ColumnMapping, MappedField } from './field-mapping.ts';
import type { RowIdAllocator } from './ids.ts';
import { isRedactionMarker } from './redaction.ts';

export type Rejection = {
  row: number;
  column: string | null;
  field: string | null;
  value?: string;
  reason: string;
};

/** How net amounts are obtained from the columns the mapping found. */
export type AmountBasis = 'net' | 'gross-minus-vat' | 'gross';

export type RowContext = {
  bodyId: string;
  uploadId: string;
  file: string;
  fields: ColumnMapping;
  /** Column headers, to name columns in rejections. */
  header: string[];
  basis: AmountBasis;
  ids: RowIdAllocator;
  counters: RowCounters;
};

/** What the report says about the accepted rows beyond their number. */
export type RowCounters = {
  redactedSuppliers: Map<string, number>;
  /** Payments whose supplier cell is empty: kept, flagged like redacted ones. */
  unnamedSuppliers: number;
  redactedOtherCells: number;
  truncatedCells: number;
  formulaLikeCells: number;
  paddedCompanyNumbers: number;
  creditIndicators: number;
};

export function newRowCounters(): RowCounters {
  return {
    redactedSuppliers: new Map(),
    unnamedSuppliers: 0,
    redactedOtherCells: 0,
    truncatedCells: 0,
    formulaLikeCells: 0,
    paddedCompanyNumbers: 0,
    creditIndicators: 0,
  };
}

export type RowOutcome =
  | { ok: true; invoice: InvoiceV1; netPence: bigint }
  | { ok: false; rejections: Rejection[]; netPence: bigint | null };

export function amountBasis(fields: ColumnMapping): AmountBasis | null {
  if (fields.netAmount !== undefined) return 'net';
  if (fields.grossAmount !== undefined) return fields.vatAmount !== undefined ? 'gross-minus-vat' : 'gross';
  return null;
}

/** How the report says where net amounts came from. */
export function amountBasisText(basis: AmountBasis, header: string[], fields: ColumnMapping): string {
  const name = (field: MappedField) => `"${columnName(header, fields[field] as number)}"`;
  if (basis === 'net') {
    const explicit = /net|ex(cl(uding)?)?\W*vat/i.test(columnName(header, fields.netAmount as number));
    return explicit
      ? `net = column ${name('netAmount')}`
      : `net = column ${name('netAmount')} (a spend file's amount is taken to exclude VAT)`;
  }
  if (basis === 'gross-minus-vat') return `net = gross ${name('grossAmount')} − VAT ${name('vatAmount')}`;
  return `net = gross ${name('grossAmount')} (no net or VAT column: the gross amount is taken as net)`;
}

/** The name an unnamed payment carries; `redacted: true` keeps it out of supplier matching. */
export const UNNAMED_SUPPLIER = '(unnamed)';

const CREDIT = /^(c|cr|credit|s|soll)$/i;
const DEBIT = /^(d|dr|debit|h|haben)$/i;
/** Cells a spreadsheet program would run as a formula if this text were opened as CSV. */
const FORMULA_LIKE = /^[=+@]|^-[^\d.\s]/;

/**
 * Maps the rows of one file. A class rather than a function with closures: it runs once per
 * row of files of millions of rows, so it allocates as little as it can.
 */
export class RowMapper {
  private cells: string[] = [];
  private row = 0;
  private rejections: Rejection[] = [];
  /** A file holds few distinct dates (a month's payment runs): each is read once. */
  private readonly dates = new Map<string, DateResult>();

  constructor(private readonly ctx: RowContext) {}

  map(cells: string[], row: number): RowOutcome {
    this.cells = cells;
    this.row = row;
    this.rejections = [];
    const { fields, counters } = this.ctx;

    const net = this.netPence();
    const vatText = this.cell('vatAmount');
    let vat: bigint | undefined;
    if (vatText !== '') {
      const parsed = parseAmount(vatText);
      if (parsed.ok) vat = parsed.pence;
      else this.reject('vatAmount', parsed.reason, vatText);
    }
    let signedNet = net;
    const indicator = this.cell('debitCredit');
    if (indicator !== '' && signedNet !== null) {
      if (CREDIT.test(indicator)) {
        counters.creditIndicators++;
        if (signedNet > 0n) signedNet = -signedNet;
        if (vat !== undefined && vat > 0n) vat = -vat;
      } else if (!DEBIT.test(indicator)) {
        this.reject(
          'debitCredit',
          `not a debit/credit indicator (expected D/C, DR/CR, H/S): ${indicator}`,
          indicator,
        );
      }
    }

    const paymentDate = this.date('paymentDate');
    const invoiceDate = this.date('invoiceDate');
    if (!paymentDate && !invoiceDate && !this.rejections.some((r) => r.field?.endsWith('Date'))) {
      const field = fields.paymentDate !== undefined ? 'paymentDate' : 'invoiceDate';
      this.reject(field, fields[field] === undefined ? 'the file has no date column' : 'no date');
    }

    const supplierName = this.cell('supplierName');
    let supplier: InvoiceV1['supplier'] | undefined;
    if (supplierName === '' && fields.supplierName === undefined) {
      this.reject('supplierName', 'the file has no supplier column');
    } else if (supplierName === '') {
      // A payment with a date and an amount is a payment: with no name it goes with the redacted
      // ones (in the totals, flagged, never matched to a supplier), not in the rejections.
      supplier = { name: UNNAMED_SUPPLIER, redacted: true };
    } else if (isRedactionMarker(supplierName)) {
      counters.redactedSuppliers.set(supplierName, (counters.redactedSuppliers.get(supplierName) ?? 0) + 1);
      supplier = { name: '(redacted)', redacted: true };
    } else {
      if (FORMULA_LIKE.test(supplierName)) counters.formulaLikeCells++;
      supplier = { name: supplierName };
    }
    if (this.rejections.length > 0 || signedNet === null || !supplier) {
      return { ok: false, rejections: this.rejections, netPence: signedNet };
    }

    const ref = this.text('supplierRef', 200);
    const vatNumber = this.text('supplierVatNumber', 50);
    const companyNumber = companyNumberOf(this.text('supplierCompanyNumber', 50), counters);
    const charityNumber = this.text('supplierCharityNumber', 50);
    if (ref) supplier.ref = ref;
    if (vatNumber) supplier.vatNumber = vatNumber;
    if (companyNumber) supplier.companyNumber = companyNumber;
    if (charityNumber) supplier.charityNumber = charityNumber;

    const transaction = this.text('transactionNumber', 200);
    const line = transaction ? this.text('lineNumber', 20) : undefined;
    const invoice: InvoiceV1 = {
      schema: 'invoice.v1',
      bodyId: this.ctx.bodyId,
      invoiceId: this.ctx.ids.next(cells, transaction, line),
      documentType: signedNet < 0n && (vat === undefined || vat <= 0n) ? 'credit-note' : 'invoice',
      supplier,
      currency: this.cell('currency').toUpperCase() || 'GBP',
      netAmount: formatPence(signedNet),
    };
    if (paymentDate) invoice.paymentDate = paymentDate;
    if (invoiceDate) invoice.invoiceDate = invoiceDate;
    if (vat !== undefined) invoice.vatAmount = formatPence(vat);
    const poNumber = this.text('poNumber', 200);
    const contractRef = this.text('contractRef', 200);
    const description = this.text('description', 2000);
    const expenseType = this.text('expenseType', 500);
    const serviceArea = this.text('serviceArea', 500);
    const costCentre = this.text('costCentre', 200);
    const category = this.category(expenseType);
    if (poNumber) invoice.poNumber = poNumber;
    if (contractRef) invoice.contractRef = contractRef;
    if (description) invoice.description = description;
    if (expenseType) invoice.expenseType = expenseType;
    if (serviceArea) invoice.serviceArea = serviceArea;
    if (costCentre) invoice.costCentre = costCentre;
    if (category) invoice.category = category;
    invoice.source = { uploadId: this.ctx.uploadId, file: this.ctx.file, row };

    // zod is only needed to say why an invoice is refused: the compiled check the consumer runs
    // first (quick-check.ts) passes a valid one in a fraction of zod's time, and never passes
    // one zod would refuse (quick-check.test.ts). What it does not pass, zod decides, as before.
    const checked = invoicesHandler.quickCheck(invoice) ? null : invoiceV1.safeParse(invoice);
    if (checked && !checked.success) {
      for (const issue of checked.error.issues) {
        const field = contractFieldToMapped(issue.path);
        const column = field ? fields[field] : undefined;
        this.rejections.push({
          row,
          column: column === undefined ? null : columnName(this.ctx.header, column),
          field: field ?? issue.path.join('.'),
          reason: `invoice.v1 ${issue.path.join('.')}: ${issue.message}`,
        });
      }
      return { ok: false, rejections: this.rejections, netPence: signedNet };
    }
    if (supplierName === '') counters.unnamedSuppliers++;
    return { ok: true, invoice, netPence: signedNet };
  }

  private reject(field: MappedField, reason: string, value?: string): void {
    const column = this.ctx.fields[field];
    const rejection: Rejection = {
      row: this.row,
      column: column === undefined ? null : columnName(this.ctx.header, column),
      field,
      reason,
    };
    if (value !== undefined) rejection.value = value.slice(0, 200);
    this.rejections.push(rejection);
  }

  /** The cell of a field, without surrounding spaces or no-break spaces; '' when unmapped. */
  private cell(field: MappedField): string {
    const column = this.ctx.fields[field];
    if (column === undefined) return '';
    const value = this.cells[column] ?? '';
    if (value === '') return value;
    // Most cells start and end with a printable ASCII character, which is never a space.
    const first = value.charCodeAt(0);
    const last = value.charCodeAt(value.length - 1);
    if (first > 0x20 && first < 0x7f && last > 0x20 && last < 0x7f) return value;
    return value.replace(EDGE_SPACE, '');
  }

  /** A text field: redaction markers dropped, formula-like text counted, over-long text cut. */
  private text(field: MappedField, max: number): string | undefined {
    const value = this.cell(field);
    if (value === '') return undefined;
    const { counters } = this.ctx;
    if (isRedactionMarker(value)) {
      counters.redactedOtherCells++;
      return undefined;
    }
    if (FORMULA_LIKE.test(value)) counters.formulaLikeCells++;
    if (value.length > max) {
      counters.truncatedCells++;
      return value.slice(0, max);
    }
    return value;
  }

  private date(field: 'paymentDate' | 'invoiceDate'): string | undefined {
    const value = this.cell(field);
    if (value === '') return undefined;
    let parsed = this.dates.get(value);
    if (parsed === undefined) {
      parsed = parseDate(value);
      if (this.dates.size >= DATE_CACHE_SIZE) this.dates.clear();
      if (value.length <= 40) this.dates.set(value, parsed);
    }
    if (parsed.ok) return parsed.iso;
    this.reject(field, parsed.reason, value);
    return undefined;
  }

  private netPence(): bigint | null {
    const { basis } = this.ctx;
    if (basis === 'net') return this.amount('netAmount');
    const gross = this.amount('grossAmount');
    if (basis === 'gross' || gross === null) return gross;
    const vatText = this.cell('vatAmount');
    if (vatText === '') return gross;
    const vat = parseAmount(vatText);
    return vat.ok ? gross - vat.pence : null;
  }

  private amount(field: MappedField): bigint | null {
    const value = this.cell(field);
    if (value === '') {
      this.reject(
        field,
        this.ctx.fields[field] === undefined ? 'the file has no amount column' : 'no amount',
      );
      return null;
    }
    const parsed = parseAmount(value);
    if (!parsed.ok) {
      this.reject(field, parsed.reason, value);
      return null;
    }
    return parsed.pence;
  }

  private category(expenseType: string | undefined): InvoiceV1['category'] {
    const proclass = this.text('proclassCode', 100);
    const proclassLabel = this.text('proclassLabel', 500);
    if (proclass && /\d/.test(proclass)) {
      return proclassLabel
        ? { scheme: 'proclass', code: proclass, label: proclassLabel }
        : { scheme: 'proclass', code: proclass };
    }
    const cpv = this.text('cpvCode', 100);
    if (cpv) return { scheme: 'cpv', code: cpv };
    // A ProClass column holding names only (Bury: "Medical") is a local category, not a code.
    const label = proclass ?? proclassLabel;
    if (label) return { scheme: 'local', code: label, label };
    const expenseCode = this.text('expenseCode', 100);
    if (!expenseCode) return undefined;
    return expenseType
      ? { scheme: 'local', code: expenseCode, label: expenseType }
      : { scheme: 'local', code: expenseCode };
  }
}

const EDGE_SPACE = /^[\s\u00a0]+|[\s\u00a0]+$/g;
/** Distinct date texts remembered (40 characters at most); past it the memory starts again. */
const DATE_CACHE_SIZE = 4096;

/** Companies House numbers are eight characters; spreadsheets drop the leading zeros of numeric ones. */
function companyNumberOf(value: string | undefined, counters: RowCounters): string | undefined {
  if (value && /^\d{5,7}$/.test(value)) {
    counters.paddedCompanyNumbers++;
    return value.padStart(8, '0');
  }
  return value;
}

const CONTRACT_FIELDS: Record<string, MappedField> = {
  netAmount: 'netAmount',
  vatAmount: 'vatAmount',
  invoiceDate: 'invoiceDate',
  paymentDate: 'paymentDate',
  currency: 'currency',
  poNumber: 'poNumber',
  contractRef: 'contractRef',
  description: 'description',
  expenseType: 'expenseType',
  serviceArea: 'serviceArea',
  costCentre: 'costCentre',
  invoiceId: 'transactionNumber',
};

function contractFieldToMapped(path: PropertyKey[]): MappedField | null {
  const [first, second] = path.map(String);
  if (first === 'supplier') {
    const bySupplierKey: Record<string, MappedField> = {
      name: 'supplierName',
      ref: 'supplierRef',
      vatNumber: 'supplierVatNumber',
      companyNumber: 'supplierCompanyNumber',
      charityNumber: 'supplierCharityNumber',
    };
    return bySupplierKey[second ?? ''] ?? 'supplierName';
  }
  return CONTRACT_FIELDS[first ?? ''] ?? null;
}

export function columnName(header: string[], column: number): string {
  const name = (header[column] ?? '').trim();
  return name === '' ? `column ${column + 1}` : name;
}
