/**
 * Classifies one Kafka message: a valid document, a retraction (tombstone), or a rejection
 * with a precise, human-readable reason. Never throws for bad input: bad messages are data.
 */
import { isUtf8 } from 'node:buffer';
import type { z } from 'zod';
import type { RejectionCode } from './rejections.ts';
import type { TopicHandler } from './topics/handler.ts';

export type Decoded<Doc> =
  | { outcome: 'document'; doc: Doc; bodyId: string }
  | { outcome: 'retraction'; bodyId: string; documentId: string }
  | { outcome: 'rejected'; code: RejectionCode; reason: string; bodyId: string | null };

const KEY = /^([a-z0-9][a-z0-9-]{0,62}):(.+)$/s;
const MAX_ISSUES_IN_REASON = 5;
const MAX_MESSAGE_CHARS = 300;

/**
 * `value` as the bytes read from Kafka, or as text already decoded. Bytes that are not UTF-8 are
 * refused, never decoded with replacement characters (JSON is UTF-8; a replaced character in a
 * supplier's name would be a silent change).
 *
 * `topicBody`: the message came on this body's own topic (per-body layout, lib/topics.ts), which
 * only that body's principal may write. A document or tombstone of any other body is refused, and
 * every rejection is then the topic's body's: the topic, not the message, says who sent it.
 */
export function decodeMessage<Doc>(
  handler: TopicHandler<Doc>,
  key: Buffer | null,
  value: Buffer | string | null,
  registeredBodies: ReadonlySet<string>,
  undecodableReason?: string,
  topicBody?: string,
): Decoded<Doc> {
  const keyText = key?.toString('utf8') ?? null;
  const keyMatch = keyText === null ? null : KEY.exec(keyText);
  const keyBody = keyMatch?.[1] ?? null;
  const attributable = (bodyId: string | null | undefined) =>
    bodyId && registeredBodies.has(bodyId) ? bodyId : null;
  const reject = (code: RejectionCode, reason: string, bodyId: string | null = keyBody) =>
    ({ outcome: 'rejected', code, reason, bodyId: attributable(topicBody ?? bodyId) }) as const;
  const notTopicBody = (bodyId: string) =>
    reject(
      'body-topic-mismatch',
      `body ${quote(bodyId)} on the topic of body ${quote(topicBody ?? '')}: a body may write only its own documents`,
    );

  if (undecodableReason !== undefined) return reject('undecodable-batch', undecodableReason);
  if (keyText === null || keyText === '') return reject('missing-key', 'the message has no key');
  if (key !== null && !isUtf8(key)) return reject('bad-key', 'the key is not valid UTF-8', null);
  if (!keyMatch) {
    return reject(
      'bad-key',
      `key ${quote(keyText)} is not <bodyId>:<documentId> (bodyId: a lower-case slug)`,
    );
  }
  const [, bodyIdFromKey = '', documentIdFromKey = ''] = keyMatch;

  if (value === null) {
    if (topicBody !== undefined && bodyIdFromKey !== topicBody) return notTopicBody(bodyIdFromKey);
    if (!registeredBodies.has(bodyIdFromKey)) {
      return reject(
        'unregistered-body',
        `tombstone for body ${quote(bodyIdFromKey)}, which is not registered`,
      );
    }
    return { outcome: 'retraction', bodyId: bodyIdFromKey, documentId: documentIdFromKey };
  }

  if (typeof value !== 'string' && !isUtf8(value)) {
    return reject('malformed-json', `value is not valid UTF-8 (JSON must be): ${notUtf8At(value)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (error) {
    return reject('malformed-json', `value is not valid JSON: ${(error as Error).message}`);
  }

  let doc: Doc;
  if (handler.quickCheck(json)) {
    doc = json;
  } else {
    const parsed = handler.schema.safeParse(json);
    if (!parsed.success) {
      const linesIssue = parsed.error.issues.find(
        (issue) => issue.code === 'custom' && issue.params?.reason === 'lines-do-not-sum',
      );
      const bodyInValue =
        typeof json === 'object' && json !== null ? (json as { bodyId?: unknown }).bodyId : null;
      const body = typeof bodyInValue === 'string' ? bodyInValue : keyBody;
      if (linesIssue && parsed.error.issues.length === 1)
        return reject('lines-do-not-sum', linesIssue.message, body);
      return reject(
        'schema-violation',
        `${handler.schemaName}: ${describeIssues(parsed.error.issues, json)}`,
        body,
      );
    }
    doc = parsed.data;
  }
  const bodyId = handler.bodyIdOf(doc);
  if (topicBody !== undefined && bodyId !== topicBody) return notTopicBody(bodyId);
  if (!registeredBodies.has(bodyId)) {
    return reject('unregistered-body', `body ${quote(bodyId)} is not in the opt-in register`, null);
  }
  const expectedKey = `${bodyId}:${handler.documentIdOf(doc)}`;
  if (keyText !== expectedKey) {
    return reject(
      'key-mismatch',
      `key ${quote(keyText)} does not match the value (expected ${quote(expectedKey)})`,
      bodyId,
    );
  }
  return { outcome: 'document', doc, bodyId };
}

/** Where the first byte that is not UTF-8 is, e.g. "byte 0xff at offset 41". */
function notUtf8At(bytes: Buffer): string {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  // The longest valid prefix: a binary search over prefixes (a truncated character at the end of a
  // prefix is invalid too, so the answer is the start of the offending character or just past it).
  let good = 0;
  let bad = bytes.length;
  while (bad - good > 1) {
    const middle = (good + bad) >> 1;
    try {
      decoder.decode(bytes.subarray(0, middle));
      good = middle;
    } catch {
      bad = middle;
    }
  }
  const at = Math.min(good, bytes.length - 1);
  return `byte 0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')} at offset ${at}`;
}

/** "netAmount: a decimal string with at most 2 decimal places (got "12.345")", for up to five issues. */
function describeIssues(issues: z.core.$ZodIssue[], json: unknown): string {
  const described = issues.slice(0, MAX_ISSUES_IN_REASON).map((issue) => {
    const path = issue.path.length
      ? issue.path
          .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
          .join('')
          .replace(/^\./, '')
      : '(value)';
    const received = valueAt(json, issue.path);
    const got =
      received === undefined
        ? issue.code === 'invalid_type'
          ? ' (missing)'
          : ''
        : ` (got ${quote(JSON.stringify(received))})`;
    // A rule's message may quote a value (a sum of huge amounts): clipped like the values are.
    return `${path}: ${clip(issue.message, MAX_MESSAGE_CHARS)}${got}`;
  });
  const more =
    issues.length > MAX_ISSUES_IN_REASON ? `; and ${issues.length - MAX_ISSUES_IN_REASON} more` : '';
  return described.join('; ') + more;
}

function valueAt(json: unknown, path: PropertyKey[]): unknown {
  let current: unknown = json;
  for (const step of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[step];
  }
  if (typeof current === 'object' && current !== null) return undefined;
  return current;
}

function quote(text: string, max = 120): string {
  return `"${clip(text, max)}"`;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
