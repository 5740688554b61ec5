/** The unit the demo produces: one Kafka message, exactly as a producer would send it. */

export type DemoTopic = 'invoices' | 'purchaseOrders';

export interface DemoMessage {
  topic: DemoTopic;
  /** `<bodyId>:<invoiceId>` or `<bodyId>:<poNumber>` (bad records may break this on purpose). */
  key: string;
  /** The JSON text as sent; null is a tombstone. Bad records may hold text that is not JSON. */
  value: string | null;
}

const LINE_MARKER = '"lineNo":';

/**
 * Invoice lines in a message: the number of `"lineNo":` in its text. That sequence can only appear
 * as a property name (inside a JSON string the quote would be escaped), so for valid JSON this is
 * exactly `lines.length`; for broken text it is a best effort. Purchase-order lines do not count.
 */
export function countInvoiceLines(message: DemoMessage): number {
  if (message.topic !== 'invoices' || message.value === null) return 0;
  let count = 0;
  for (
    let at = message.value.indexOf(LINE_MARKER);
    at !== -1;
    at = message.value.indexOf(LINE_MARKER, at + 1)
  ) {
    count++;
  }
  return count;
}
