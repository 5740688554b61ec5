import { describe, expect, it } from 'vitest';
import { bodyOfTopic, bodyPrincipal, bodyTopic, documentTopicsFor } from './topics.ts';

const topics = {
  invoices: 'spend.invoices.v1',
  purchaseOrders: 'spend.purchase-orders.v1',
  deadLetter: 'spend.dl',
};

describe('topic layouts', () => {
  it('sends every body to the shared topics by default, and each to its own under per-body', () => {
    expect(documentTopicsFor({ topics, topicLayout: 'shared' }, 'lancs')).toEqual({
      invoices: 'spend.invoices.v1',
      purchaseOrders: 'spend.purchase-orders.v1',
    });
    expect(documentTopicsFor({ topics, topicLayout: 'per-body' }, 'lancs')).toEqual({
      invoices: 'spend.invoices.v1.body.lancs',
      purchaseOrders: 'spend.purchase-orders.v1.body.lancs',
    });
    expect(bodyPrincipal('lancs')).toBe('body-lancs');
  });

  it('finds the body of a per-body topic, and none in any other name', () => {
    expect(bodyOfTopic(topics.invoices, bodyTopic(topics.invoices, 'lancs-fire'))).toBe('lancs-fire');
    expect(bodyOfTopic(topics.invoices, 'spend.invoices.v1')).toBeUndefined();
    // The dot in the base is literal, and a body id is a lower-case slug with nothing after it.
    expect(bodyOfTopic(topics.invoices, 'spend-invoices-v1.body.lancs')).toBeUndefined();
    expect(bodyOfTopic(topics.invoices, 'spend.invoices.v1.body.Lancs')).toBeUndefined();
    expect(bodyOfTopic(topics.invoices, 'spend.invoices.v1.body.lancs.extra')).toBeUndefined();
    expect(bodyOfTopic(topics.invoices, 'spend.purchase-orders.v1.body.lancs')).toBeUndefined();
  });
});
