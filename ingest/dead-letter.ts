/**
 * Dead letters: a rejected message goes to the dead-letter topic unchanged (key and value as
 * received), with the reason and its origin in headers, so a body's IT team can see exactly
 * what was refused and why. Delivery to this topic is at-least-once: a crash between sending
 * and the DuckDB commit sends it again, with the same origin headers to de-duplicate on.
 * The rejected_messages table, written in the same transaction as the data, is exact.
 */
import type { Rejection } from './batch-writer.ts';
import type { OutgoingMessage } from './kafka/client.ts';

export const DEAD_LETTER_HEADERS = {
  reasonCode: 'x-spend-reason-code',
  reason: 'x-spend-reason',
  topic: 'x-spend-source-topic',
  partition: 'x-spend-source-partition',
  offset: 'x-spend-source-offset',
  bodyId: 'x-spend-body-id',
} as const;

export function deadLetterMessage(rejection: Rejection): OutgoingMessage {
  const h = DEAD_LETTER_HEADERS;
  return {
    key: rejection.key,
    value: rejection.value,
    headers: {
      [h.reasonCode]: rejection.code,
      [h.reason]: rejection.reason,
      [h.topic]: rejection.topic,
      [h.partition]: String(rejection.partition),
      [h.offset]: rejection.offset,
      ...(rejection.bodyId ? { [h.bodyId]: rejection.bodyId } : {}),
    },
  };
}
