/**
 * Dead letters: a rejected message goes to the dead-letter topic unchanged (key and value as
 * received), with the reason and its origin in headers, so a body's IT team can see exactly
 * what was refused and why. Delivery to this topic is at-least-once: a crash between sending
 * and the DuckDB commit sends it again, with the same origin headers to de-duplicate on.
 * The rejected_messages table, written in the same transaction as the data, is exact.
 *
 * Dead letters never block ingestion: they are sent in chunks that each fit in one record batch
 * under the cluster's limits (kafkajs puts one send's messages for a partition into one batch,
 * and the broker refuses a batch over the topic's `max.message.bytes` with MESSAGE_TOO_LARGE).
 * A message too large to go even alone is kept whole in rejected_messages (`raw_value_whole`)
 * and the topic gets a reference to it instead.
 */
import type { Logger } from '../lib/log.ts';
import type { Rejection } from './batch-writer.ts';
import {
  isMessageTooLarge,
  type KafkaClient,
  type OutgoingMessage,
  type Producer,
  readMaxMessageBytes,
} from './kafka/client.ts';

export const DEAD_LETTER_HEADERS = {
  reasonCode: 'x-spend-reason-code',
  reason: 'x-spend-reason',
  topic: 'x-spend-source-topic',
  partition: 'x-spend-source-partition',
  offset: 'x-spend-source-offset',
  bodyId: 'x-spend-body-id',
  /** Set on a reference: the value is not here but in this table (too large for the topic). */
  valueKeptIn: 'x-spend-value-kept-in',
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

/**
 * Instead of a value too large for the dead-letter topic: where it is kept whole. The origin
 * headers say which row (topic, partition, offset are the table's key).
 */
export function deadLetterReference(rejection: Rejection): OutgoingMessage {
  const message = deadLetterMessage(rejection);
  const valueBytes = rejection.value?.length ?? 0;
  return {
    ...message,
    value: JSON.stringify({
      keptIn: 'rejected_messages',
      topic: rejection.topic,
      partition: rejection.partition,
      offset: rejection.offset,
      valueBytes,
    }),
    headers: { ...message.headers, [DEAD_LETTER_HEADERS.valueKeptIn]: 'rejected_messages' },
  };
}

/** A record batch's own header (v2): base offset, length, epoch, magic, CRC, attributes, … */
const RECORD_BATCH_OVERHEAD = 61;
/** Room for what the estimate below may miss (producer id fields, rounding). */
const SAFETY_MARGIN = 1024;
/** The most a varint/varlong length or delta can take in a record (upper bound). */
const VARINT = 5;
const VARLONG = 10;

const byteLength = (value: Buffer | string | null | undefined): number =>
  value === null || value === undefined ? 0 : Buffer.byteLength(value);

/** An upper bound of a message's size inside an uncompressed v2 record batch. */
export function recordSizeBound(message: OutgoingMessage): number {
  let size = VARINT + 1 + VARLONG + VARINT; // length, attributes, timestamp delta, offset delta
  size += VARINT + byteLength(message.key) + VARINT + byteLength(message.value as Buffer | string | null);
  size += VARINT;
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) size += VARINT + byteLength(name) + VARINT + byteLength(v as Buffer | string);
  }
  return size;
}

/** The record bytes one batch may hold under a limit of `maxMessageBytes`. */
export function batchBudget(maxMessageBytes: number): number {
  return maxMessageBytes - RECORD_BATCH_OVERHEAD - SAFETY_MARGIN;
}

/**
 * Splits messages, in order, into chunks whose records fit in one batch of `budget` bytes.
 * A message over the budget on its own is not allowed here (send a reference instead).
 */
export function chunkBySize(messages: OutgoingMessage[], budget: number): OutgoingMessage[][] {
  const chunks: OutgoingMessage[][] = [];
  let chunk: OutgoingMessage[] = [];
  let size = 0;
  for (const message of messages) {
    const bound = recordSizeBound(message);
    if (bound > budget) throw new Error(`a dead letter of ${bound} bytes cannot fit in ${budget}`);
    if (chunk.length > 0 && size + bound > budget) {
      chunks.push(chunk);
      chunk = [];
      size = 0;
    }
    chunk.push(message);
    size += bound;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** Sends rejections to the dead-letter topic under the cluster's size limits. */
export class DeadLetterSender {
  private budget: number | undefined;
  private limitBytes = 0;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly producer: Producer,
    readonly topic: string,
    private readonly log: Logger,
  ) {}

  /** Reads the topic's and the broker's limits (again after the broker refused a batch as too large). */
  async readLimits(): Promise<number> {
    const limits = await readMaxMessageBytes(this.kafka, this.topic);
    this.limitBytes = limits.bytes;
    this.budget = batchBudget(limits.bytes);
    this.log.debug({ topic: this.topic, ...limits }, 'dead-letter size limits');
    return this.budget;
  }

  async send(rejections: Rejection[]): Promise<{ sent: number; references: number; chunks: number }> {
    if (rejections.length === 0) return { sent: 0, references: 0, chunks: 0 };
    const budget = this.budget ?? (await this.readLimits());
    let references = 0;
    const messages = rejections.map((rejection) => {
      const message = deadLetterMessage(rejection);
      if (recordSizeBound(message) <= budget) return message;
      references++;
      const reference = deadLetterReference(rejection);
      if (recordSizeBound(reference) > budget) {
        throw new Error(
          `the dead-letter topic ${this.topic} takes record batches of at most ${this.limitBytes} bytes (its max.message.bytes or the broker's message.max.bytes): too small even for a reference to a rejected message; raise it`,
        );
      }
      return reference;
    });
    const chunks = chunkBySize(messages, budget);
    try {
      for (const chunk of chunks) await this.producer.send({ topic: this.topic, acks: -1, messages: chunk });
    } catch (error) {
      // The limits changed under us (a topic reconfigured): read them again for the next try.
      if (isMessageTooLarge(error)) this.budget = undefined;
      throw error;
    }
    if (references > 0) {
      this.log.warn(
        { topic: this.topic, references },
        'rejected messages too large for the dead-letter topic: kept whole in rejected_messages, the topic has a reference',
      );
    }
    return { sent: messages.length, references, chunks: chunks.length };
  }
}
