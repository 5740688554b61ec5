/**
 * Which handler reads a topic, and whose topic it is: the shared topics are anyone's (the
 * message says which body it is for), a per-body topic (`<topic>.body.<bodyId>`, lib/topics.ts)
 * is that body's alone and the consumer refuses any other body's document on it.
 */
import { bodyOfTopic, type DocumentTopics } from '../../lib/topics.ts';
import type { TopicHandler } from './handler.ts';
import { invoicesHandler } from './invoices/handler.ts';
import { purchaseOrdersHandler } from './purchase-orders/handler.ts';

/** What the consumer needs of any document: its lines, to count them. */
export type StagedDocument = { lines?: unknown[] };

export type TopicRoute = {
  handler: TopicHandler<StagedDocument>;
  /** Set on a per-body topic: the only body whose documents it may carry. */
  topicBody?: string;
};

/** The route of a shared or per-body topic of these base topics; undefined for any other topic. */
export function routeTopic(topics: DocumentTopics, topic: string): TopicRoute | undefined {
  const bases: [string, TopicHandler<StagedDocument>][] = [
    [topics.invoices, invoicesHandler as TopicHandler<StagedDocument>],
    [topics.purchaseOrders, purchaseOrdersHandler as TopicHandler<StagedDocument>],
  ];
  for (const [base, handler] of bases) {
    if (topic === base) return { handler };
    const topicBody = bodyOfTopic(base, topic);
    if (topicBody !== undefined) return { handler, topicBody };
  }
  return undefined;
}
