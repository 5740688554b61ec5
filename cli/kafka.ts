/**
 * `spend kafka`: the per-body topic layout's topics, ACLs and logins (docs/kafka.md, "Per-body
 * topics"). kafkajs cannot create SCRAM users (it has no AlterUserScramCredentials), so
 * `credentials` prints the Kafka command that does, with a fresh password, instead of running it.
 */
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { adminKafka, bodyTopicSpecs, provisionBody, provisionIngest } from '../ingest/body-topics.ts';
import type { AclGrant } from '../ingest/kafka/client.ts';
import type { Body } from '../lib/bodies.ts';
import { type Config, loadConfig } from '../lib/config.ts';
import { UserError } from '../lib/errors.ts';
import { bodyPrincipal } from '../lib/topics.ts';
import { callOperation } from '../owner/call-operation.ts';

function requirePerBody(config: Config): void {
  if (config.topicLayout !== 'per-body') {
    throw new UserError(
      'invalid-input',
      'Per-body topics are off: set SPEND_TOPIC_LAYOUT=per-body (docs/kafka.md) to give each body its own topics and login.',
    );
  }
}

const describeGrant = (g: AclGrant) =>
  `  ${g.principal}: ${g.operations.join(', ')} on ${g.resource} ${g.name}${g.prefixed ? '*' : ''}`;

export function registerKafkaCommands(program: Command): void {
  const kafka = program.command('kafka').description('per-body Kafka topics, ACLs and logins');

  kafka
    .command('provision [bodyIds...]')
    .description(
      'with the admin login (KAFKA_ADMIN_SASL_*): create each body’s topics and ACLs (default: every registered body) and the ingest principal’s ACLs',
    )
    .action(async (bodyIds: string[]) => {
      const config = loadConfig();
      requirePerBody(config);
      if (!config.kafkaAdminAuth) {
        throw new UserError(
          'invalid-input',
          'No Kafka admin login: set KAFKA_ADMIN_SASL_USERNAME and KAFKA_ADMIN_SASL_PASSWORD_FILE.',
        );
      }
      const ids =
        bodyIds.length > 0
          ? bodyIds
          : ((await callOperation(config, 'bodies.list')) as Body[]).map((body) => body.bodyId);
      const admin = adminKafka(config);
      const ingestUser = config.kafkaAuth.sasl?.username;
      if (ingestUser) {
        const result = await provisionIngest(admin, config, ingestUser);
        process.stdout.write(
          `Ingest principal User:${ingestUser}:\n${result.grants.map(describeGrant).join('\n')}\n`,
        );
      }
      for (const bodyId of ids) {
        const result = await provisionBody(admin, config, bodyId);
        process.stdout.write(
          `Body ${bodyId}: ${result.topicsCreated.length} topic(s) created\n${result.grants.map(describeGrant).join('\n')}\n`,
        );
      }
    });

  kafka
    .command('credentials <bodyId>')
    .description(
      'print the Kafka login a body streams with: its principal, topics, a new password and how to create it',
    )
    .action((bodyId: string) => {
      const config = loadConfig();
      requirePerBody(config);
      const user = bodyPrincipal(bodyId);
      const password = randomBytes(18).toString('base64url');
      const mechanism = (config.kafkaAuth.sasl?.mechanism ?? 'scram-sha-512').toUpperCase();
      const topics = bodyTopicSpecs(config, bodyId).map((spec) => spec.topic);
      process.stdout.write(
        [
          `Principal: User:${user} (may write only ${topics.join(' and ')})`,
          '',
          'Create the login on the cluster (an admin, with Kafka’s own tools; kafkajs cannot):',
          `  kafka-configs.sh --bootstrap-server ${config.kafkaBrokers.join(',')} --command-config admin.properties \\`,
          `    --alter --entity-type users --entity-name ${user} --add-config '${mechanism}=[iterations=8192,password=${password}]'`,
          '',
          `Then its topics and ACLs: spend kafka provision ${bodyId}`,
          '',
          'The body’s own producer (any Kafka client writing the message contract, docs/messages.md) then uses:',
          `  KAFKA_BROKERS=${config.kafkaBrokers.join(',')}`,
          `  KAFKA_SASL_MECHANISM=${mechanism.toLowerCase()}`,
          `  KAFKA_SASL_USERNAME=${user}`,
          '  KAFKA_SASL_PASSWORD_FILE=<a file holding the password above>',
          ...(config.kafkaAuth.tls ? ['  KAFKA_TLS=true'] : []),
          '  SPEND_TOPIC_LAYOUT=per-body',
          '',
        ].join('\n'),
      );
    });
}
