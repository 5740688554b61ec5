/**
 * The `spend` command. Every subcommand works whether or not an owning process (serve or
 * ingest) is running: see owner/call-operation.ts. Errors a user can act on are printed as one sentence
 * with exit code 1; anything else is a bug and prints its stack.
 */
import { Command } from 'commander';
import { z } from 'zod';
import { ConfigError } from '../lib/config.ts';
import { DatabaseLockedError } from '../lib/db.ts';
import { UserError } from '../lib/errors.ts';
import { registerBackupCommands } from './backup.ts';
import { registerBodiesCommands } from './bodies.ts';
import { registerContractsCommands } from './contracts.ts';
import { registerDeadLettersCommands } from './dead-letters.ts';
import { registerDemoCommand } from './demo.ts';
import { registerIngestCommand } from './ingest.ts';
import { registerItemsCommands } from './items.ts';
import { registerKafkaCommands } from './kafka.ts';
import { registerKeysCommands } from './keys.ts';
import { registerMappingCommands } from './mapping.ts';
import { registerMembersCommands } from './members.ts';
import { registerPackCommands } from './packs.ts';
import { registerPartnershipCommands } from './partnership.ts';
import { registerQueryCommands } from './query.ts';
import { registerSavingsCommands } from './savings.ts';
import { registerSchemasCommand } from './schemas.ts';
import { registerServeCommand } from './serve.ts';
import { registerStatsCommand } from './stats.ts';
import { registerStatusCommand } from './status.ts';
import { registerSuppliersCommands } from './suppliers.ts';
import { registerTransformsCommands } from './transforms.ts';
import { registerUploadCommands } from './upload.ts';

/** DuckDB could not read or write its file: a full disk, a damaged file, a file not DuckDB's. */
function isDatabaseFileError(error: unknown): error is Error {
  return (
    error instanceof Error &&
    /IO Error|Serialization Error|Corrupt|not a valid DuckDB database|No space left|checksum|Could not read/i.test(
      error.message,
    )
  );
}

function databaseFileMessage(error: Error): string {
  const full = /No space left|disk is full|ENOSPC/i.test(error.message);
  const advice = full
    ? 'The disk is full: free space and run the command again (DuckDB rolls back what it could not write).'
    : 'The file may be damaged: restore the last backup with "spend restore" (see docs/reliability.md), or move the file aside and ingest again from Kafka.';
  return `the database file could not be read or written (${error.message.split('\n')[0]}). ${advice}`;
}

const program = new Command('spend')
  .description('collective-spend: the combined buying power of a partnership of public bodies')
  .showHelpAfterError();

registerServeCommand(program);
registerIngestCommand(program);
registerBodiesCommands(program);
registerKafkaCommands(program);
registerMembersCommands(program);
registerPackCommands(program);
registerStatsCommand(program);
registerStatusCommand(program);
registerDeadLettersCommands(program);
registerDemoCommand(program);
registerSchemasCommand(program);
registerTransformsCommands(program);
registerSuppliersCommands(program);
registerItemsCommands(program);
registerContractsCommands(program);
registerQueryCommands(program);
registerUploadCommands(program);
registerMappingCommands(program);
registerSavingsCommands(program);
registerPartnershipCommands(program);
registerKeysCommands(program);
registerBackupCommands(program);

// \`spend … | head\`: the reader closed the pipe; stop quietly, as Unix tools do
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ConfigError || error instanceof UserError || error instanceof DatabaseLockedError) {
    process.stderr.write(`spend: ${error.message}\n`);
    process.exitCode = 1;
  } else if (error instanceof Error && error.name === 'KafkaJSSASLAuthenticationError') {
    process.stderr.write(
      `spend: Kafka refused the login (${error.message}). Check KAFKA_SASL_USERNAME and the password (docs/kafka.md).\n`,
    );
    process.exitCode = 1;
  } else if (isDatabaseFileError(error)) {
    process.stderr.write(`spend: ${databaseFileMessage(error)}\n`);
    process.exitCode = 1;
  } else if (error instanceof z.ZodError) {
    process.stderr.write(`spend: invalid input:\n${z.prettifyError(error)}\n`);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
