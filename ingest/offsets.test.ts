import { describe, expect, it } from 'vitest';
import type { PartitionSpan } from './batch-writer.ts';
import { ownedSpans } from './offsets.ts';

const span = (topic: string, partition: number): PartitionSpan => ({
  topic,
  partition,
  batchId: 1n,
  firstOffset: 0n,
  lastOffset: 9n,
  messages: 10,
  accepted: 10,
  rejected: 0,
});

describe('ownedSpans', () => {
  it('keeps only the partitions this member still owns (a rebalance may have moved the others)', () => {
    const spans = [span('inv', 0), span('inv', 1), span('po', 0)];
    expect(ownedSpans(spans, { inv: [1], po: [] })).toEqual([span('inv', 1)]);
    expect(ownedSpans(spans, {})).toEqual([]);
  });
});
