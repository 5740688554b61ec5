/**
 * Another member of the owner's consumer group, for tests/faults/rebalance.test.ts: a careless
 * tool that joins the group, reads what it is assigned and commits it to Kafka (so Kafka's
 * committed offsets run ahead of what DuckDB holds), until it is stopped: SIGTERM leaves the group
 * cleanly, SIGKILL leaves it to the session timeout. It prints one JSON line per event on stdout:
 * {"joined": {topic: [partitions]}} on every assignment, {"consumed": n} after each batch.
 *
 *   node bin/run-ts.js tests/faults/group-member.ts <brokers> <group> <topic…>
 */
import { createKafka } from '../../ingest/kafka/client.ts';

const [brokers = '', group = '', ...topics] = process.argv.slice(2);
const kafka = createKafka({ brokers: brokers.split(','), clientId: 'fault-group-member' });
const consumer = kafka.consumer({
  groupId: group,
  sessionTimeout: 6000,
  heartbeatInterval: 1000,
  maxWaitTimeInMs: 500,
  maxBytesPerPartition: 16384,
});
const say = (event: object) => process.stdout.write(`${JSON.stringify(event)}\n`);
consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => say({ joined: payload.memberAssignment }));
let consumed = 0;
await consumer.connect();
await consumer.subscribe({ topics, fromBeginning: true });
await consumer.run({
  autoCommit: true,
  autoCommitInterval: 200,
  eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
    for (const message of batch.messages) resolveOffset(message.offset);
    consumed += batch.messages.length;
    await heartbeat();
    say({ consumed });
  },
});
process.once('SIGTERM', () => {
  consumer.disconnect().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
