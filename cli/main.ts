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
import { registerBodiesCommands } from './bodies.ts';
import { registerContractsCommands } from './contracts.ts';
import { registerDemoCommand } from './demo.ts';
import { registerIngestCommand } from './ingest.ts';
import { registerMappingCommands } from './mapping.ts';
import { registerQueryCommands } from './query.ts';
import { registerSchemasCommand } from './schemas.ts';
import { registerServeCommand } from './serve.ts';
import { registerStatsCommand } from './stats.ts';
import { registerSuppliersCommands } from './suppliers.ts';
import { registerTransformsCommands } from './transforms.ts';
import { registerUploadCommands } from './upload.ts';

const program = new Command('spend')
  .description('collective-spend: the combined buying power of a partnership of public bodies')
  .showHelpAfterError();

registerServeCommand(program);
registerIngestCommand(program);
registerBodiesCommands(program);
registerStatsCommand(program);
registerDemoCommand(program);
registerSchemasCommand(program);
registerTransformsCommands(program);
registerSuppliersCommands(program);
registerContractsCommands(program);
registerQueryCommands(program);
registerUploadCommands(program);
registerMappingCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ConfigError || error instanceof UserError || error instanceof DatabaseLockedError) {
    process.stderr.write(`spend: ${error.message}\n`);
    process.exitCode = 1;
  } else if (error instanceof z.ZodError) {
    process.stderr.write(`spend: invalid input:\n${z.prettifyError(error)}\n`);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
