/**
 * Classifies one Kafka message: a valid document, a retraction (tombstone), or a rejection
 * with a precise, human-readable reason. Never throws for bad input: bad messages are data.
 */
import type { z } from 'zod';
import type { RejectionCode } from './rejections.ts';
import type { TopicHandler } from './topics/handler.ts';

export type Decoded<Doc> =
  | { outcome: 'document'; doc: Doc; bodyId: string }
  | { outcome: 'retraction'; bodyId: string; documentId: string }
  | { outcome: 'rejected'; code: RejectionCode; reason: string; bodyId: string | null };

const KEY = /^([a-z0-9][a-z0-9-]{0,62}):(.+)$/s;
const MAX_ISSUES_IN_REASON = 5;

export function decodeMessage<Doc>(
  handler: TopicHandler<Doc>,
  key: Buffer | null,
  value: string | null,
  registeredBodies: ReadonlySet<string>,
  undecodableReason?: string,
): Decoded<Doc> {
  const keyText = key?.toString('utf8') ?? null;
  const keyMatch = keyText === null ? null : KEY.exec(keyText);
  const keyBody = keyMatch?.[1] ?? null;
  const attributable = (bodyId: string | null | undefined) =>
    bodyId && registeredBodies.has(bodyId) ? bodyId : null;
  const reject = (code: RejectionCode, reason: string, bodyId: string | null = keyBody) =>
    ({ outcome: 'rejected', code, reason, bodyId: attributable(bodyId) }) as const;

  if (undecodableReason !== undefined) return reject('undecodable-batch', undecodableReason);
  if (keyText === null || keyText === '') return reject('missing-key', 'the message has no key');
  if (!keyMatch) {
    return reject(
      'bad-key',
      `key ${quote(keyText)} is not <bodyId>:<documentId> (bodyId: a lower-case slug)`,
    );
  }
  const [, bodyIdFromKey = '', documentIdFromKey = ''] = keyMatch;

  if (value === null) {
    if (!registeredBodies.has(bodyIdFromKey)) {
      return reject(
        'unregistered-body',
        `tombstone for body ${quote(bodyIdFromKey)}, which is not registered`,
      );
    }
    return { outcome: 'retraction', bodyId: bodyIdFromKey, documentId: documentIdFromKey };
  }

  let json: unknown;
  try {
    json = JSON.parse(value);
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
    return `${path}: ${issue.message}${got}`;
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
  const clipped = text.length > max ? `${text.slice(0, max)}…` : text;
  return `"${clipped}"`;
}
