/**
 * fetchTopicOffsets retries what kafkajs marks retriable (a broker taking back its partitions
 * after a restart answers NOT_LEADER_FOR_PARTITION for a moment) and nothing else. The admin here
 * stands in for kafkajs' only to script its answers; the errors are kafkajs' own classes.
 */
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { type Admin, fetchTopicOffsets } from './client.ts';

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
