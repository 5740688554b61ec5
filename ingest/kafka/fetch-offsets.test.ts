/**
 * The admin's reads (fetchTopicOffsets, and any through retryingRetriable) retry what kafkajs marks retriable (a broker taking back its partitions
 * after a restart answers NOT_LEADER_FOR_PARTITION for a moment) and nothing else. The admin here
 * stands in for kafkajs' only to script its answers; the errors are kafkajs' own classes.
 */
import kafkajs from 'kafkajs';
import { describe, expect, it, vi } from 'vitest';
import { type Admin, fetchTopicOffsets, retryingRetriable } from './client.ts';

// kafkajs builds its protocol errors from an entry of its error-code table, typed here as Error
const NOT_LEADER = {
  type: 'NOT_LEADER_FOR_PARTITION',
  code: 6,
  retriable: true,
  message: 'This server is not the leader for that topic-partition',
};
const notLeader = () => new kafkajs.KafkaJSProtocolError(NOT_LEADER as unknown as Error);
const offsets = [{ partition: 0, offset: '7', low: '0', high: '7' }];

/** An admin whose fetchTopicOffsets gives these answers in turn, counting the calls. */
function scripted(answers: (Error | typeof offsets)[]) {
  const admin = {
    calls: 0,
    async fetchTopicOffsets() {
      const answer = answers[Math.min(admin.calls++, answers.length - 1)];
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return admin;
}

describe('fetchTopicOffsets', () => {
  it('retries NOT_LEADER_FOR_PARTITION until the broker answers', async () => {
    const admin = scripted([notLeader(), notLeader(), offsets]);
    expect(await fetchTopicOffsets(admin as unknown as Admin, 't')).toEqual(offsets);
    expect(admin.calls).toBe(3);
  });

  it('throws an error that is not retriable at once', async () => {
    const admin = scripted([new kafkajs.KafkaJSNonRetriableError('topic authorization failed'), offsets]);
    await expect(fetchTopicOffsets(admin as unknown as Admin, 't')).rejects.toThrow(
      'topic authorization failed',
    );
    expect(admin.calls).toBe(1);
  });
});

describe('retryingRetriable', () => {
  it('retries any error kafkajs marks retriable (a broker still electing leaders), then answers', async () => {
    const leaderNotAvailable = new kafkajs.KafkaJSProtocolError({
      type: 'LEADER_NOT_AVAILABLE',
      code: 5,
      retriable: true,
      message: 'There is no leader for this topic-partition as we are in the middle of a leadership election',
    } as unknown as Error);
    let calls = 0;
    const topics = await retryingRetriable(async () => {
      calls++;
      if (calls < 3) throw leaderNotAvailable;
      return ['spend.invoices.v1'];
    });
    expect(topics).toEqual(['spend.invoices.v1']);
    expect(calls).toBe(3);
  });

  it('gives up after ten tries with the last error', async () => {
    vi.useFakeTimers(); // the ~13 s of waits between tries pass at once
    try {
      let calls = 0;
      const tried = retryingRetriable(async () => {
        calls++;
        throw notLeader();
      });
      const outcome = expect(tried).rejects.toThrow('not the leader');
      await vi.runAllTimersAsync();
      await outcome;
      expect(calls).toBe(10);
    } finally {
      vi.useRealTimers();
    }
  });
});
