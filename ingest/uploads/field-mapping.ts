/**
 * Which column of a spreadsheet holds which of our fields. Headers are compared after
 * normalising ("Net Amount (£)" → "netamount", "Transaction Ref/No" → "transactionrefno"), then
 * looked up in a table of the spellings real councils use; when several columns fit one field
 * the best-ranked spelling wins and the rest are listed as unused. A body can save a corrected
 * mapping for a layout (see mapping-store.ts): it is keyed by the header's fingerprint.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const MAPPED_FIELDS = [
  'supplierName',
  'supplierRef',
  'supplierVatNumber',
  'supplierCompanyNumber',
  'supplierCharityNumber',
  'transactionNumber',
  'lineNumber',
  'paymentDate',
  'invoiceDate',
  'netAmount',
  'grossAmount',
  'vatAmount',
  'debitCredit',
  'currency',
  'poNumber',
  'contractRef',
  'description',
  'expenseType',
  'expenseCode',
  'serviceArea',
  'costCentre',
  'proclassCode',
  'proclassLabel',
  'cpvCode',
  'marker',
] as const;
export type MappedField = (typeof MAPPED_FIELDS)[number];

/** Field → column index (0-based) in the header row. */
export type ColumnMapping = Partial<Record<MappedField, number>>;

export type FieldChoice = {
  field: MappedField;
  column: number;
  header: string;
  how: 'header' | 'saved' | 'values';
  /** For dates: what the column's date means (payment, posting, invoice…). */
  meaning?: string;
  /** Why this column (set once the values are checked: mapping-by-values.ts). */
  why?: string;
  /** Up to three of the column's values. */
  samples?: string[];
};

export type Mapping = {
  source: 'detected' | 'saved';
  fields: ColumnMapping;
  choices: FieldChoice[];
  /** Columns that map to nothing (or lost to a better-ranked column), with why. */
  unused: { column: number; header: string; why: string; looksLike?: string }[];
};

/** A saved mapping: field → column, the column named by its header text or `#N` (1-based). */
export const savedMapping = z.strictObject({
  fields: z.partialRecord(z.enum(MAPPED_FIELDS), z.string().min(1).max(200)),
});
export type SavedMapping = z.infer<typeof savedMapping>;

/** Headers compared without case, spacing, punctuation or currency signs. */
export function normaliseHeader(text: string): string {
  return text
    .toLowerCase()
    .replaceAll('&', 'and')
    .replace(/[^a-z0-9]/g, '');
}

type Synonym = { field: MappedField | null; rank: number; meaning?: string; names: string[] };

// biome-ignore format: one line per field reads best
const SYNONYMS: Synonym[] = [
  { field: 'supplierName', rank: 1, names: ['suppliername', 'supplier', 'beneficiary', 'beneficiaryname', 'suppliert', 'vendorname', 'vendor', 'payee', 'payeename', 'creditorname', 'merchantname', 'merchant', 'recipient', 'recipientname', 'tradingname', 'paidto', 'suppliershortname', 'supplierfullname', 'thirdpartyname', 'creditorsname', 'payeeorganisation'] },
  { field: 'supplierName', rank: 3, names: ['name', 'creditor', 'suppliernamet'] },
  { field: 'supplierRef', rank: 1, names: ['supplierid', 'suppliercode', 'suppliernumber', 'supplierno', 'supplierref', 'supplierreference', 'vendornumber', 'vendorid', 'vendorcode', 'vendorno', 'codedsupplier', 'creditorid', 'creditornumber', 'creditorcode', 'creditorno', 'payeeid'] },
  { field: 'supplierVatNumber', rank: 1, names: ['vatregno', 'vatregistrationnumber', 'vatregnumber', 'vatnumber', 'vatno', 'suppliervatnumber', 'suppliervatregno', 'vatreg'] },
  { field: 'supplierCompanyNumber', rank: 1, names: ['companynumber', 'companyno', 'companyregistrationnumber', 'companyregno', 'companieshousenumber', 'crn', 'suppliercompanynumber'] },
  { field: 'supplierCharityNumber', rank: 1, names: ['charitynumber', 'charityno', 'registeredcharitynumber', 'charityregistrationnumber'] },
  { field: 'transactionNumber', rank: 1, names: ['transactionnumber', 'transactionno', 'transno', 'transactionid', 'transactionref', 'transactionrefno', 'transactionreference', 'uniquetransactionid', 'transactionnum', 'transnumber', 'transref', 'transid'] },
  { field: 'transactionNumber', rank: 2, names: ['documentno', 'documentnumber', 'sapdocumentnumber', 'docno', 'voucherno', 'vouchernumber', 'systemreference', 'paymentnumber', 'paymentref', 'paymentreference', 'paymentrefno', 'paymentid', 'documentreference', 'docref', 'docnumber', 'journalnumber', 'bacsreference', 'remittancenumber', 'chequenumber'] },
  { field: 'transactionNumber', rank: 3, names: ['invoiceno', 'invoicenumber', 'invoiceref', 'invoicereference', 'invoiceid', 'supplierinvoicenumber', 'invoicenum', 'invno', 'invoicenumberreference'] },
  { field: 'transactionNumber', rank: 4, names: ['reference', 'refno', 'ref', 'referencenumber'] },
  { field: 'lineNumber', rank: 1, names: ['linenumber', 'lineno', 'line', 'invoicelinenumber'] },
  { field: 'paymentDate', rank: 1, meaning: 'payment date', names: ['paymentdate', 'dateofpayment', 'paiddate', 'datepaid', 'paymentrundate', 'cleareddate', 'chequedate', 'paydate', 'clearingdate', 'datepaymentmade', 'paymentissuedate', 'paymentprocesseddate'] },
  { field: 'paymentDate', rank: 2, meaning: 'posting date', names: ['postingdate', 'postdate', 'dateposted', 'glpostingdate'] },
  { field: 'paymentDate', rank: 3, meaning: 'transaction date', names: ['transactiondate', 'effectivedate', 'efefctivedate', 'processeddate', 'dateprocessed', 'dateoftransaction', 'transdate', 'accountingdate', 'valuedate'] },
  { field: 'paymentDate', rank: 4, meaning: 'payment or posting date (the column is just "Date")', names: ['date'] },
  { field: 'paymentDate', rank: 5, meaning: 'payment date (the column is just "Payment")', names: ['payment'] },
  { field: 'invoiceDate', rank: 1, meaning: 'invoice date', names: ['invoicedate', 'dateofinvoice', 'documentdate', 'taxpointdate', 'invoiceddate', 'invdate', 'invoicedated', 'supplierinvoicedate'] },
  { field: 'netAmount', rank: 1, names: ['netamount', 'amountexcludingvat', 'amountexvat', 'amountexclvat', 'netvalue', 'net', 'netamountgbp', 'netamountexcludingvat', 'netamountexvat', 'netspend', 'amountnet', 'nettotal', 'netamountpaid', 'netpayment', 'netcost'] },
  { field: 'netAmount', rank: 2, names: ['amount', 'amountgbp', 'value', 'invoiced', 'actualvalue', 'lineamount', 'transactionamount', 'paymentamount', 'amountpaid', 'spend', 'expenditure', 'totalamount', 'sum', 'invoiceamount', 'paidamount', 'paymentvalue', 'invoicevalue', 'transactionvalue', 'linevalue', 'sumofamount', 'amountpounds', 'cost', 'totalvalue'] },
  { field: 'grossAmount', rank: 1, names: ['gross', 'grossamount', 'grossvalue', 'grossvaluedetail', 'amountincludingvat', 'amountincvat', 'amountinclvat', 'totalincvat', 'grosspayment', 'grosstotal', 'amountgross', 'totalgross', 'totalincludingvat', 'grossamountpaid', 'grossinvoiceamount'] },
  { field: 'vatAmount', rank: 1, names: ['vat', 'vatamount', 'vatvalue', 'tax', 'taxamount', 'vatpaid', 'recoverablevat', 'vattotal', 'amountvat', 'vatcharged'] },
  { field: 'debitCredit', rank: 1, names: ['debitcreditindicator', 'debitcredit', 'creditdebit', 'dcindicator', 'drcr', 'crdr', 'debitcreditflag'] },
  { field: 'currency', rank: 1, names: ['currency', 'currencycode', 'transactioncurrency'] },
  { field: 'poNumber', rank: 1, names: ['ponumber', 'pono', 'purchaseordernumber', 'purchaseorderno', 'purchaseorder', 'ordernumber', 'orderno', 'poref', 'purchaseorderref', 'purchaseorderreference', 'orderref', 'orderreference'] },
  { field: 'contractRef', rank: 1, names: ['contractref', 'contractreference', 'contractnumber', 'contractno', 'contractid'] },
  { field: 'description', rank: 1, names: ['description', 'purposeofspend', 'purpose', 'narrative', 'details', 'transactiondescription', 'itemdescription', 'paymentdescription', 'linedescription', 'itemtext', 'lineitemtext', 'purchasedescription', 'spenddescription', 'transactiondetails', 'paymentdetails', 'descriptionofgoodsorservices'] },
  { field: 'description', rank: 2, names: ['gldescription', 'summaryofpurpose', 'comments', 'comment', 'notes'] },
  { field: 'expenseType', rank: 1, names: ['expensetype', 'expenditurecategory', 'expenditurecatergory', 'expensecategory', 'accountdetail', 'expendituretype', 'expendituredescription', 'spendcategory', 'subjectivedescription', 'accountdescription', 'expensestype', 'costelementdescription', 'nominaldescription', 'glaccountdescription', 'glaccountname', 'subjectivename', 'expensedescription'] },
  { field: 'expenseType', rank: 2, names: ['detailedexpensestype', 'procurementcategory', 'purchasecategory', 'merchantcategory', 'merchantcategorydescription', 'category', 'categorydescription', 'spendtype'] },
  { field: 'expenseCode', rank: 1, names: ['expensecode', 'expenditurecode', 'accountcode', 'glcode', 'subjectivecode', 'nominalcode', 'ledgercode', 'subjective', 'expensescode', 'costelement', 'costelementcode', 'glaccount', 'glaccountcode', 'nominalaccount', 'accountnumber'] },
  { field: 'expenseCode', rank: 2, names: ['merchantcategorycode', 'mcc', 'detailedexpensescode'] },
  { field: 'serviceArea', rank: 1, names: ['servicearea', 'expensearea', 'serviceareacategorisation', 'servicecategorisation', 'servicecategorylabel', 'servicecategory', 'serviceareadescription', 'serviceareaname'] },
  { field: 'serviceArea', rank: 2, names: ['service', 'servicedivision', 'servicedivisionlabel', 'directoratedescription', 'portfolio', 'servicedivisioncategorisation', 'division', 'servicename'] },
  { field: 'serviceArea', rank: 3, names: ['directorate', 'department', 'dept', 'servicelabel', 'departmentdescription', 'directoratename', 'departmentname'] },
  { field: 'costCentre', rank: 1, names: ['costcentre', 'costcenter', 'servicecostcentre', 'costcentrecode', 'costcentrename'] },
  { field: 'costCentre', rank: 2, names: ['costcode', 'costcentredescription', 'organisationalunit', 'orgunit', 'subteamdescription', 'responsibleunit', 'costcentredesc', 'costcentrelabel'] },
  { field: 'proclassCode', rank: 1, names: ['proclasscode', 'proclass', 'proclasscategory'] },
  { field: 'proclassLabel', rank: 1, names: ['proclassdescription', 'proclasslabel', 'proclassname'] },
  { field: 'cpvCode', rank: 1, names: ['cpvcode', 'cpv'] },
  // Columns we recognise (they help find the header row) but do not need.
  { field: null, rank: 1, names: ['bodyname', 'nameofbody', 'body', 'authority', 'authorityname', 'auth', 'organisation', 'organisationname', 'organisationcode', 'company', 'council', 'creditortype', 'typeofexpenditure', 'capitalrevenue', 'documenttype', 'servicecode', 'directoratearea', 'subteam', 'vendortype', 'suppliertype', 'expenditurearea', 'directoratecode', 'departmentcode', 'financialyear', 'period', 'month', 'bodyid', 'organisationid', 'organisationlabel', 'servicecategoryuri', 'servicedivisionuri', 'procurementcategoryuri', 'expensestypeuri', 'irrecoverablevat', 'capitalorrevenue', 'cardholder', 'cardholdername', 'cardnumber', 'yearmonth', 'fiscalyear'] },
];

const BY_NAME = new Map<string, Synonym>();
for (const synonym of SYNONYMS) {
  for (const name of synonym.names) {
    // A spelling listed twice would silently belong to whichever entry came last.
    if (BY_NAME.has(name)) throw new Error(`header synonym "${name}" is listed twice`);
    BY_NAME.set(name, synonym);
  }
}

/** Spellings no table can list: recognised by shape, ranked below every table entry. */
const PATTERNS: { pattern: RegExp; synonym: Synonym }[] = [
  {
    pattern: /invoicedate$/,
    synonym: { field: 'invoiceDate', rank: 9, meaning: 'invoice date', names: [] },
  },
  {
    pattern: /paymentdate$|datepaid$/,
    synonym: { field: 'paymentDate', rank: 9, meaning: 'payment date', names: [] },
  },
  {
    pattern: /suppliername|vendorname|payeename|beneficiary/,
    synonym: { field: 'supplierName', rank: 9, names: [] },
  },
  {
    pattern: /(refno|referenceno|referencenumber)$/,
    synonym: { field: 'transactionNumber', rank: 9, names: [] },
  },
  { pattern: /^netamount|amountexcl/, synonym: { field: 'netAmount', rank: 9, names: [] } },
];

export type HeaderCellMatch = { field: MappedField | null; rank: number; meaning?: string };

/**
 * BI exports pair a code column with its text: `Supplier` / `Supplier(T)`, `Proclass` /
 * `Proclass(T)`. The text of a code field is its label field; a field that is already text
 * (a supplier name, a cost centre) stays itself, and the values settle which column it takes.
 */
const TEXT_SUFFIX = /\s*\(\s*t\s*\)$/i;
const TEXT_OF_CODE: Partial<Record<MappedField, MappedField>> = {
  supplierRef: 'supplierName',
  proclassCode: 'proclassLabel',
  expenseCode: 'expenseType',
};

export function recogniseHeaderCell(text: string): HeaderCellMatch | null {
  const trimmed = text.trim();
  if (trimmed === '*') return { field: 'marker', rank: 1 };
  if (TEXT_SUFFIX.test(trimmed)) {
    const base = recogniseHeaderCell(trimmed.replace(TEXT_SUFFIX, ''));
    if (!base?.field) return base;
    return { ...base, field: TEXT_OF_CODE[base.field] ?? base.field };
  }
  const key = normaliseHeader(trimmed);
  if (key === '' || /^\d+$/.test(key)) return null;
  const synonym = BY_NAME.get(key) ?? PATTERNS.find((p) => p.pattern.test(key))?.synonym;
  if (!synonym) return null;
  return {
    field: synonym.field,
    rank: synonym.rank,
    ...(synonym.meaning ? { meaning: synonym.meaning } : {}),
  };
}

/**
 * Whether a row reads as a header: at least three recognised column names, one of them an
 * amount, and a supplier or a date beside it.
 */
export function looksLikeHeader(cells: string[]): boolean {
  let recognised = 0;
  const fields = new Set<MappedField | null>();
  for (const cell of cells) {
    const match = recogniseHeaderCell(cell);
    if (!match || match.field === 'marker') continue;
    recognised++;
    fields.add(match.field);
  }
  const hasAmount = fields.has('netAmount') || fields.has('grossAmount');
  const hasContext = fields.has('supplierName') || fields.has('paymentDate') || fields.has('invoiceDate');
  return recognised >= 3 && hasAmount && hasContext;
}

/** The layout's identity: the header's column names, normalised, trailing empty columns dropped. */
export function headerFingerprint(cells: string[]): string {
  const names = cells.map((cell) => cell.trim().toLowerCase().replace(/\s+/g, ' '));
  while (names.length > 0 && names[names.length - 1] === '') names.pop();
  return createHash('sha256').update(JSON.stringify(names)).digest('hex').slice(0, 24);
}

export function detectMapping(header: string[]): Mapping {
  const best = new Map<MappedField, { column: number; match: HeaderCellMatch }>();
  const unused: Mapping['unused'] = [];
  header.forEach((cell, column) => {
    const match = recogniseHeaderCell(cell);
    if (!match?.field) {
      if (cell.trim() !== '')
        unused.push({ column, header: cell.trim(), why: match ? 'not needed' : 'not recognised' });
      return;
    }
    const current = best.get(match.field);
    if (!current || match.rank < current.match.rank) {
      if (current) unused.push(lostTo(current.column, header, match.field, column));
      best.set(match.field, { column, match });
    } else {
      unused.push(lostTo(column, header, match.field, current.column));
    }
  });
  const choices: FieldChoice[] = [...best].map(([field, { column, match }]) => ({
    field,
    column,
    header: (header[column] ?? '').trim(),
    how: 'header',
    ...(match.meaning ? { meaning: match.meaning } : {}),
  }));
  return finish('detected', choices, unused);
}

function lostTo(
  column: number,
  header: string[],
  field: MappedField,
  winner: number,
): Mapping['unused'][number] {
  return {
    column,
    header: (header[column] ?? '').trim(),
    why: `also reads as ${field}; column ${winner + 1} ("${(header[winner] ?? '').trim()}") was used`,
  };
}

function finish(source: Mapping['source'], choices: FieldChoice[], unused: Mapping['unused']): Mapping {
  choices.sort((a, b) => a.column - b.column);
  unused.sort((a, b) => a.column - b.column);
  const fields: ColumnMapping = {};
  for (const choice of choices) fields[choice.field] = choice.column;
  return { source, fields, choices, unused };
}

/** A column reference as saved: the header text, or `#N` for an unnamed or repeated name. */
export function columnReference(header: string[], column: number): string {
  const text = (header[column] ?? '').trim();
  const key = normaliseHeader(text);
  const first = header.findIndex((cell) => normaliseHeader(cell) === key);
  return text === '' || key === '' || first !== column ? `#${column + 1}` : text;
}

/** Resolves a column reference against a header row; null when nothing matches. */
export function resolveColumn(header: string[], reference: string): number | null {
  const numbered = /^#(\d+)$/.exec(reference.trim());
  if (numbered) {
    const index = Number(numbered[1]) - 1;
    return index >= 0 && index < header.length ? index : null;
  }
  const key = normaliseHeader(reference);
  const index = header.findIndex((cell) => cell.trim() === reference.trim());
  if (index >= 0) return index;
  const loose = header.findIndex((cell) => normaliseHeader(cell) === key && key !== '');
  return loose >= 0 ? loose : null;
}

/** Applies a saved mapping to a header; throws naming the reference that fits no column. */
export function applySavedMapping(header: string[], saved: SavedMapping): Mapping {
  const detected = detectMapping(header);
  const choices: FieldChoice[] = [];
  for (const [field, reference] of Object.entries(saved.fields) as [MappedField, string][]) {
    const column = resolveColumn(header, reference);
    if (column === null)
      throw new Error(`the saved mapping names column "${reference}" for ${field}, which this header lacks`);
    const meaning = detected.choices.find((c) => c.column === column && c.field === field)?.meaning;
    choices.push({
      field,
      column,
      header: (header[column] ?? '').trim(),
      how: 'saved',
      ...(meaning ? { meaning } : {}),
    });
  }
  const used = new Set(choices.map((c) => c.column));
  const unused = header
    .map((cell, column) => ({ column, header: cell.trim(), why: 'not in the saved mapping' }))
    .filter((u) => u.header !== '' && !used.has(u.column));
  return finish('saved', choices, unused);
}

/** The mapping in its saved form (field → column reference). */
export function toSavedMapping(header: string[], mapping: Mapping): SavedMapping {
  const fields: SavedMapping['fields'] = {};
  for (const choice of mapping.choices) fields[choice.field] = columnReference(header, choice.column);
  return { fields };
}

/** A digest of what a mapping does, so that the same file under a different mapping is a new upload. */
export function mappingDigest(mapping: Mapping): string {
  const pairs = mapping.choices.map((c) => `${c.field}=${c.column}`).sort();
  return createHash('sha256').update(pairs.join(';')).digest('hex').slice(0, 16);
}
