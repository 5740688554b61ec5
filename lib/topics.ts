/**
 * Where documents travel, by topic layout (SPEND_TOPIC_LAYOUT, docs/kafka.md):
 * - `shared` (the default): every body writes to the one invoices and the one purchase-orders topic.
 * - `per-body`: body X writes to `<invoices topic>.body.X` and `<purchase-orders topic>.body.X`
 *   only, as the Kafka principal `body-X`; ACLs let that principal write those two topics and no
 *   other, and the consumer refuses a document whose bodyId is not its topic's body. Which body a
 *   message belongs to is then decided by who could write the topic, not by what the message says.
 */

export const TOPIC_LAYOUTS = ['shared', 'per-body'] as const;
export type TopicLayout = (typeof TOPIC_LAYOUTS)[number];

/** The configured base topics (config.topics). */
export type SpendTopics = { invoices: string; purchaseOrders: string; deadLetter: string };
export type DocumentTopics = { invoices: string; purchaseOrders: string };

/** A body id as keys and the opt-in register spell it (lib/fields.ts `bodyId`). */
const BODY_ID = '[a-z0-9][a-z0-9-]{0,62}';
const BODY_INFIX = '.body.';

/** `<base>.body.<bodyId>`: a body's own topic in the per-body layout. */
export function bodyTopic(base: string, bodyId: string): string {
  return `${base}${BODY_INFIX}${bodyId}`;
}

/** The topics a body's documents are sent to under this layout. */
export function documentTopicsFor(
  config: { topics: SpendTopics; topicLayout: TopicLayout },
  bodyId: string,
): DocumentTopics {
  const { invoices, purchaseOrders } = config.topics;
  return config.topicLayout === 'per-body'
    ? { invoices: bodyTopic(invoices, bodyId), purchaseOrders: bodyTopic(purchaseOrders, bodyId) }
    : { invoices, purchaseOrders };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Matches exactly the per-body topics of `base` (and captures the body id). */
export function bodyTopicPattern(base: string): RegExp {
  return new RegExp(`^${escapeRegExp(base + BODY_INFIX)}(${BODY_ID})$`);
}

/** The body whose per-body topic of `base` this is, or undefined when it is not one. */
export function bodyOfTopic(base: string, topic: string): string | undefined {
  return bodyTopicPattern(base).exec(topic)?.[1];
}

/** The Kafka principal (SASL user) a body writes as in the per-body layout: `body-<bodyId>`. */
export function bodyPrincipal(bodyId: string): string {
  return `body-${bodyId}`;
}
