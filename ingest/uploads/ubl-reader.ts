/**
 * Peppol BIS UBL documents: Billing 3.0 Invoice and CreditNote → invoice.v1, Ordering Order →
 * purchase-order.v1. Every other Peppol document (order response, catalogue, punch-out,
 * message-level response…) is refused with its name. The XML is parsed by fast-xml-parser with
 * entity processing OFF, and a document with a DOCTYPE is refused outright (UBL never has one;
 * a DTD is how entity-expansion attacks arrive). Character references and the five predefined
 * entities are decoded here, in text only.
 *
 * Amounts: a credit note's amounts are positive in UBL and negative in invoice.v1. The net
 * amount is the document's TaxExclusiveAmount; document-level allowances and charges become
 * extra lines, so that the lines still add up to it exactly.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { InvoiceLineV1, InvoiceV1 } from '../topics/invoices/schema.ts';
import type { PurchaseOrderLineV1, PurchaseOrderV1 } from '../topics/purchase-orders/schema.ts';
import { formatPence, parseDecimalPence } from './amounts.ts';
import { optional } from './optional.ts';
import { UblError } from './reader-errors.ts';

export { UblError };

export type UblDocument =
  | {
      kind: 'invoice';
      format: 'peppol-invoice' | 'peppol-credit-note';
      invoice: InvoiceV1;
      netPence: bigint;
      notes: string[];
    }
  | {
      kind: 'purchase-order';
      format: 'peppol-order';
      order: PurchaseOrderV1;
      netPence: bigint;
      notes: string[];
    };

type Node = Record<string, unknown>;

const PEPPOL_DOCUMENT_NAMES: Record<string, string> = {
  order_response: 'Order Response',
  order_response_advanced: 'Order Response (advanced)',
  order_agreement: 'Order Agreement',
  order_change: 'Order Change',
  order_cancellation: 'Order Cancellation',
  despatch_advice: 'Despatch Advice',
  catalogue: 'Catalogue',
  catalogue_response: 'Catalogue Response',
  punch_out: 'Punch Out',
  invoice_response: 'Invoice Response',
  mlr: 'Message Level Response',
};

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
});

export type UblContext = { bodyId: string; uploadId: string; file: string };

export function readUbl(xml: string, ctx: UblContext): UblDocument {
  if (/<!DOCTYPE/i.test(xml)) {
    throw new UblError('the XML has a DOCTYPE (a DTD), which Peppol documents never have: refused');
  }
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new UblError(`not well-formed XML at line ${valid.err.line}: ${valid.err.msg}`);
  }
  let parsed: Node;
  try {
    parsed = parser.parse(xml) as Node;
  } catch (error) {
    // The validator lets a few malformed forms through (e.g. `<?'xml …?>`) that the parser refuses.
    throw new UblError(`not well-formed XML: ${(error as Error).message}`);
  }
  const rootName = Object.keys(parsed).find((key) => !key.startsWith('@') && key !== '#text');
  if (!rootName) throw new UblError('the XML has no document element');
  const root = parsed[rootName] as Node;
  const customization = text(root, 'CustomizationID') ?? '';
  const transaction = /:trns:([a-z_]+):/.exec(customization)?.[1];
  if (rootName === 'Invoice' || rootName === 'CreditNote') return readInvoice(root, rootName, ctx);
  if (rootName === 'Order' && (transaction === undefined || transaction === 'order'))
    return readOrder(root, ctx);
  const name = (transaction && PEPPOL_DOCUMENT_NAMES[transaction]) ?? rootName;
  throw new UblError(
    customization
      ? `a Peppol ${name} document (${customization}): only Invoice, CreditNote and Order documents are taken`
      : `an XML document <${rootName}>, not a Peppol Invoice, CreditNote or Order`,
  );
}

function readInvoice(root: Node, rootName: 'Invoice' | 'CreditNote', ctx: UblContext): UblDocument {
  const credit = rootName === 'CreditNote';
  const sign = credit ? -1n : 1n;
  const currency = required(text(root, 'DocumentCurrencyCode'), 'cbc:DocumentCurrencyCode', 'currency');
  const net = amount(root, ['LegalMonetaryTotal', 'TaxExclusiveAmount'], 'netAmount', true) as bigint;
  const vat = documentVat(root, currency);
  const lineElement = credit ? 'CreditNoteLine' : 'InvoiceLine';
  const quantityElement = credit ? 'CreditedQuantity' : 'InvoicedQuantity';
  const lines: InvoiceLineV1[] = [];
  const numbers = lineNumbers(all(root, lineElement));
  all(root, lineElement).forEach((line, i) => {
    const where = `cac:${lineElement}[${i + 1}]`;
    const lineNet = amount(line, ['LineExtensionAmount'], 'lines.netAmount', true, where) as bigint;
    const quantity = decimalText(text(line, quantityElement), 4);
    // A price per base quantity other than one is not a unit price: left out rather than divided.
    const baseQuantity = text(line, 'Price', 'BaseQuantity');
    const unitPrice =
      baseQuantity === undefined || Number(baseQuantity) === 1
        ? decimalText(text(line, 'Price', 'PriceAmount'), 4)
        : undefined;
    lines.push({
      lineNo: numbers[i] as number,
      netAmount: formatPence(sign * lineNet),
      ...optional('description', clip(text(line, 'Item', 'Name') ?? text(line, 'Item', 'Description'), 2000)),
      ...optional('itemCode', clip(itemCode(line), 200)),
      ...itemIdentity(line),
      ...optional('quantity', quantity),
      ...optional('unit', clip(attribute(first(line, quantityElement), 'unitCode'), 50)),
      ...optional('unitPrice', unitPrice),
      ...optional('category', classification(line)),
    });
  });
  let nextLine = Math.max(0, ...numbers) + 1;
  all(root, 'AllowanceCharge').forEach((charge, i) => {
    const isCharge = text(charge, 'ChargeIndicator') === 'true';
    const value = amount(
      charge,
      ['Amount'],
      'lines.netAmount',
      true,
      `cac:AllowanceCharge[${i + 1}]`,
    ) as bigint;
    const reason = text(charge, 'AllowanceChargeReason') ?? text(charge, 'AllowanceChargeReasonCode') ?? '';
    lines.push({
      lineNo: nextLine++,
      netAmount: formatPence(sign * (isCharge ? value : -value)),
      description: clip(
        `${isCharge ? 'Document charge' : 'Document allowance'}${reason ? `: ${reason}` : ''}`,
        2000,
      ),
    });
  });

  const supplierParty = first(first(root, 'AccountingSupplierParty'), 'Party');
  // invoice.v1 wants every line of a credit note ≤ 0; a credit note that also charges
  // something (a negative credited quantity) travels as a negative (correction) invoice.
  const chargingLines = credit
    ? lines.filter((line) => !line.netAmount.startsWith('-') && line.netAmount !== '0.00')
    : [];
  const notes =
    chargingLines.length > 0
      ? [
          `the credit note has ${chargingLines.length} line(s) that add to the amount due (line ${chargingLines.map((l) => l.lineNo).join(', ')}): sent as a negative invoice, since invoice.v1 keeps every line of a credit note ≤ 0`,
        ]
      : [];
  const invoice: InvoiceV1 = {
    schema: 'invoice.v1',
    bodyId: ctx.bodyId,
    invoiceId: required(text(root, 'ID'), 'cbc:ID', 'invoiceId'),
    documentType: credit && chargingLines.length === 0 ? 'credit-note' : 'invoice',
    supplier: supplierOf(supplierParty, 'cac:AccountingSupplierParty'),
    invoiceDate: required(text(root, 'IssueDate'), 'cbc:IssueDate', 'invoiceDate'),
    currency,
    netAmount: formatPence(sign * net),
    ...(vat !== null ? { vatAmount: formatPence(sign * vat) } : {}),
    ...optional('poNumber', clip(text(root, 'OrderReference', 'ID'), 200)),
    ...optional('contractRef', clip(text(root, 'ContractDocumentReference', 'ID'), 200)),
    ...optional('description', clip(text(root, 'Note'), 2000)),
    ...optional('costCentre', clip(text(root, 'AccountingCost'), 200)),
    ...(lines.length > 0 ? { lines } : {}),
    source: { uploadId: ctx.uploadId, file: ctx.file.slice(0, 1000), row: 1 },
  };
  return {
    kind: 'invoice',
    format: credit ? 'peppol-credit-note' : 'peppol-invoice',
    invoice,
    netPence: sign * net,
    notes,
  };
}

function readOrder(root: Node, ctx: UblContext): UblDocument {
  const lineItems = all(root, 'OrderLine').map((line) => first(line, 'LineItem'));
  const total = amount(root, ['AnticipatedMonetaryTotal', 'LineExtensionAmount'], 'totalNet', false);
  const currency = required(
    text(root, 'DocumentCurrencyCode') ??
      attribute(first(first(root, 'AnticipatedMonetaryTotal'), 'LineExtensionAmount'), 'currencyID') ??
      attribute(first(lineItems[0], 'LineExtensionAmount'), 'currencyID'),
    'cbc:DocumentCurrencyCode',
    'currency',
  );
  const numbers = lineNumbers(lineItems);
  let sum = 0n;
  const lines: PurchaseOrderLineV1[] = lineItems.map((item, i) => {
    const where = `cac:OrderLine[${i + 1}]/cac:LineItem`;
    const lineNet = amount(item, ['LineExtensionAmount'], 'lines.netAmount', true, where) as bigint;
    sum += lineNet;
    return {
      lineNo: numbers[i] as number,
      netAmount: formatPence(lineNet),
      quantity: required(decimalText(text(item, 'Quantity'), 4), `${where}/cbc:Quantity`, 'lines.quantity'),
      unitPrice: required(
        decimalText(text(item, 'Price', 'PriceAmount'), 4),
        `${where}/cac:Price/cbc:PriceAmount`,
        'lines.unitPrice',
      ),
      ...optional('description', clip(text(item, 'Item', 'Name') ?? text(item, 'Item', 'Description'), 2000)),
      ...optional('itemCode', clip(itemCode(item), 200)),
      ...itemIdentity(item),
      ...optional('unit', clip(attribute(first(item, 'Quantity'), 'unitCode'), 50)),
      ...optional('category', classification(item)),
    };
  });
  if (lines.length === 0) throw new UblError('the order has no order lines', 'cac:OrderLine', 'lines');
  const order: PurchaseOrderV1 = {
    schema: 'purchase-order.v1',
    bodyId: ctx.bodyId,
    poNumber: required(text(root, 'ID'), 'cbc:ID', 'poNumber'),
    supplier: supplierOf(first(first(root, 'SellerSupplierParty'), 'Party'), 'cac:SellerSupplierParty'),
    orderDate: required(text(root, 'IssueDate'), 'cbc:IssueDate', 'orderDate'),
    currency,
    status: 'open',
    ...optional('contractRef', clip(text(root, 'Contract', 'ID'), 200)),
    ...optional('description', clip(text(root, 'Note'), 2000)),
    lines,
    totalNet: formatPence(total ?? sum),
    source: { uploadId: ctx.uploadId, file: ctx.file.slice(0, 1000), row: 1 },
  };
  return { kind: 'purchase-order', format: 'peppol-order', order, netPence: total ?? sum, notes: [] };
}

function supplierOf(party: Node | undefined, where: string): InvoiceV1['supplier'] {
  if (!party) throw new UblError('the document names no supplier', where, 'supplier');
  const name =
    text(party, 'PartyLegalEntity', 'RegistrationName') ??
    text(party, 'PartyName', 'Name') ??
    text(party, 'Name');
  const vatScheme = all(party, 'PartyTaxScheme').find((scheme) => text(scheme, 'TaxScheme', 'ID') === 'VAT');
  const endpoint = first(party, 'EndpointID');
  const endpointText = textOf(endpoint);
  const schemeId = attribute(endpoint, 'schemeID');
  return {
    name: clip(
      required(name, `${where}/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName`, 'supplier.name'),
      500,
    ) as string,
    ...optional(
      'ref',
      clip(endpointText ? (schemeId ? `${schemeId}:${endpointText}` : endpointText) : undefined, 200),
    ),
    ...optional('vatNumber', clip(vatScheme ? text(vatScheme, 'CompanyID') : undefined, 50)),
    ...optional('companyNumber', clip(text(party, 'PartyLegalEntity', 'CompanyID'), 50)),
  };
}

function documentVat(root: Node, currency: string): bigint | null {
  const totals = all(root, 'TaxTotal');
  const inCurrency =
    totals.find((t) => attribute(first(t, 'TaxAmount'), 'currencyID') === currency) ?? totals[0];
  if (!inCurrency) return null;
  return amount(inCurrency, ['TaxAmount'], 'vatAmount', false, 'cac:TaxTotal');
}

function classification(line: Node | undefined): InvoiceLineV1['category'] {
  const code = first(first(first(line, 'Item'), 'CommodityClassification'), 'ItemClassificationCode');
  const value = textOf(code);
  if (!value) return undefined;
  const list = attribute(code, 'listID');
  // UNCL 7143 "STI" is the Common Procurement Vocabulary.
  if (list?.toUpperCase() === 'CPV' || list === 'STI') return { scheme: 'cpv', code: value.slice(0, 100) };
  return { scheme: 'local', code: value.slice(0, 100), ...(list ? { label: `scheme ${list}` } : {}) };
}

function itemCode(line: Node | undefined): string | undefined {
  return (
    text(line, 'Item', 'SellersItemIdentification', 'ID') ??
    text(line, 'Item', 'StandardItemIdentification', 'ID')
  );
}

/**
 * What the line says of its item, each identifier in its own field (itemCode above keeps the first
 * of them, for display): the standard id with its scheme (0160 is GTIN), the seller's code, the
 * buyer's code.
 */
function itemIdentity(line: Node | undefined): Partial<InvoiceLineV1> {
  const standard = first(first(first(line, 'Item'), 'StandardItemIdentification'), 'ID');
  const standardId = clip(textOf(standard), 200);
  const scheme = attribute(standard, 'schemeID');
  return {
    ...(standardId && scheme && /^[A-Za-z0-9:._-]{1,20}$/.test(scheme)
      ? { standardItemId: { scheme, id: standardId } }
      : {}),
    ...optional('sellersItemCode', clip(text(line, 'Item', 'SellersItemIdentification', 'ID'), 200)),
    ...optional('buyersItemCode', clip(text(line, 'Item', 'BuyersItemIdentification', 'ID'), 200)),
  };
}

/** Line numbers from the documents' own line ids when they are distinct positive integers, else 1, 2, 3… */
function lineNumbers(lines: (Node | undefined)[]): number[] {
  const ids = lines.map((line) => Number(text(line, 'ID')));
  const usable = ids.every((id) => Number.isInteger(id) && id > 0) && new Set(ids).size === ids.length;
  return usable ? ids : lines.map((_, i) => i + 1);
}

function amount(
  node: Node | undefined,
  path: string[],
  field: string,
  isRequired: boolean,
  where = '',
): bigint | null {
  const value = text(node, ...path);
  const xpath = [where, ...path.map((p, i) => `${i === path.length - 1 ? 'cbc' : 'cac'}:${p}`)]
    .filter(Boolean)
    .join('/');
  if (value === undefined) {
    if (isRequired) throw new UblError(`${xpath} is missing`, xpath, field);
    return null;
  }
  const pence = parseDecimalPence(value);
  if (pence === null)
    throw new UblError(`${xpath}: not an amount with at most 2 decimals: ${value}`, xpath, field);
  return pence;
}

function required<T>(value: T | undefined, path: string, field: string): T {
  if (value === undefined) throw new UblError(`${path} is missing`, path, field);
  return value;
}

/** A decimal with at most `places` decimals, trailing zeros dropped; undefined otherwise. */
function decimalText(value: string | undefined, places: number): string | undefined {
  const match = value === undefined ? null : /^(-?\d+)(?:\.(\d*?)0*)?$/.exec(value.trim());
  if (!match) return undefined;
  const fraction = match[2] ?? '';
  if (fraction.length > places) return undefined;
  return fraction ? `${match[1]}.${fraction}` : (match[1] as string);
}

function all(node: Node | undefined, name: string): Node[] {
  const value = node?.[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]) as Node[];
}

function first(node: Node | undefined, name: string): Node | undefined {
  return all(node, name)[0];
}

function text(node: Node | undefined, ...path: string[]): string | undefined {
  let current: Node | undefined = node;
  for (const name of path) current = first(current, name);
  return textOf(current);
}

function textOf(value: unknown): string | undefined {
  const raw = typeof value === 'object' && value !== null ? (value as Node)['#text'] : value;
  if (raw === undefined || raw === null || raw === '') return undefined;
  return decodeXmlText(String(raw));
}

function attribute(node: Node | undefined, name: string): string | undefined {
  const value = typeof node === 'object' && node !== null ? node[`@${name}`] : undefined;
  return typeof value === 'string' ? decodeXmlText(value).trim() : undefined;
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The five predefined XML entities and numeric character references; nothing else is expanded. */
export function decodeXmlText(value: string): string {
  return value.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, entity: string) => {
    if (!entity.startsWith('#')) return PREDEFINED[entity] ?? '';
    const code = entity.startsWith('#x') ? Number.parseInt(entity.slice(2), 16) : Number(entity.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\uFFFD';
  });
}

function clip(value: string | undefined, max: number): string | undefined {
  return value === undefined ? undefined : value.slice(0, max);
}
