/** The invoice.v1 message contract (topic spend.invoices.v1, key `<bodyId>:<invoiceId>`). */
import { z } from 'zod';
import {
  bodyId,
  category,
  currency,
  documentId,
  isoDate,
  lineBase,
  money,
  optionalText,
  quantity,
  source,
  supplier,
  unitPrice,
} from '../../../lib/fields.ts';
import { fromScaled, tryScaled } from '../../../lib/money.ts';

export const invoiceLine = z.strictObject({
  ...lineBase,
  quantity: quantity.optional(),
  unitPrice: unitPrice.optional(),
});

export const invoiceV1 = z
  .strictObject({
    schema: z.literal('invoice.v1'),
    bodyId,
    invoiceId: documentId,
    documentType: z.enum(['invoice', 'credit-note']),
    supplier,
    invoiceDate: isoDate.optional(),
    paymentDate: isoDate.optional(),
    currency,
    netAmount: money,
    vatAmount: money.optional(),
    poNumber: optionalText(200),
    contractRef: optionalText(200),
    description: optionalText(2000),
    expenseType: optionalText(500),
    serviceArea: optionalText(500),
    costCentre: optionalText(200),
    category: category.optional(),
    lines: z.array(invoiceLine).max(10_000).optional(),
    source: source.optional(),
  })
  .superRefine((invoice, ctx) => addRuleIssues(ctx, invoiceRuleIssues(invoice)));

export type InvoiceV1 = z.infer<typeof invoiceV1>;
export type InvoiceLineV1 = z.infer<typeof invoiceLine>;

/** A breach of a rule that spans fields (zod's field checks cannot see it). */
export type RuleIssue = { path: (string | number)[]; message: string; reason?: 'lines-do-not-sum' };

/** The invoice.v1 rules across fields: a date, credit-note signs, lines that sum to the total. */
export function invoiceRuleIssues(invoice: {
  documentType: string;
  invoiceDate?: string;
  paymentDate?: string;
  netAmount: string;
  vatAmount?: string;
  lines?: { lineNo: number; netAmount: string }[];
}): RuleIssue[] {
  const issues: RuleIssue[] = [];
  if (!invoice.invoiceDate && !invoice.paymentDate) {
    issues.push({
      path: ['invoiceDate'],
      message: 'at least one of invoiceDate and paymentDate is required',
    });
  }
  if (invoice.documentType === 'credit-note') {
    const signed: [(string | number)[], string | undefined][] = [
      [['netAmount'], invoice.netAmount],
      [['vatAmount'], invoice.vatAmount],
      ...(invoice.lines ?? []).map((line, i): [(string | number)[], string] => [
        ['lines', i, 'netAmount'],
        line.netAmount,
      ]),
    ];
    for (const [path, amount] of signed) {
      if ((tryScaled(amount, 2) ?? 0n) > 0n)
        issues.push({ path, message: 'a credit note carries amounts ≤ 0' });
    }
  }
  if (invoice.lines?.length) issues.push(...lineRuleIssues(invoice.lines, invoice.netAmount, 'netAmount'));
  return issues;
}

/** Lines must have distinct numbers and sum exactly to the document total. */
export function lineRuleIssues(
  lines: { lineNo: number; netAmount: string }[],
  total: string,
  totalField: string,
): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const seen = new Set<number>();
  let sum = 0n;
  let allAmountsValid = true;
  lines.forEach((line, i) => {
    if (seen.has(line.lineNo)) {
      issues.push({ path: ['lines', i, 'lineNo'], message: `duplicate lineNo ${line.lineNo}` });
    }
    seen.add(line.lineNo);
    const amount = tryScaled(line.netAmount, 2);
    if (amount === null) allAmountsValid = false;
    else sum += amount;
  });
  const expected = tryScaled(total, 2);
  // Malformed amounts are reported by their own field checks; a sum of them would mean nothing.
  if (allAmountsValid && expected !== null && sum !== expected) {
    issues.push({
      path: ['lines'],
      message: `lines sum to ${fromScaled(sum, 2)} but ${totalField} is ${total}`,
      reason: 'lines-do-not-sum',
    });
  }
  return issues;
}

export function addRuleIssues(ctx: z.RefinementCtx, issues: RuleIssue[]): void {
  for (const issue of issues) {
    ctx.addIssue({
      code: 'custom',
      path: issue.path,
      message: issue.message,
      ...(issue.reason ? { params: { reason: issue.reason } } : {}),
    });
  }
}
