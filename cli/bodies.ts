import type { Command } from 'commander';
import { prepareBodyTopics } from '../ingest/body-topics.ts';
import { BODY_KINDS, BODY_STATUSES, type Body } from '../lib/bodies.ts';
import { loadConfig } from '../lib/config.ts';
import { callOperation } from '../owner/call-operation.ts';
import { printJson, printTable } from './output.ts';

export function registerBodiesCommands(program: Command): void {
  const bodies = program.command('bodies').description('the opt-in register of participating bodies');

  bodies
    .command('add <id>')
    .description('register a body that joins the partnership')
    .requiredOption('--name <name>', 'the body’s name, e.g. "Lancashire County Council"')
    .option('--kind <kind>', `one of ${BODY_KINDS.join(', ')}`, 'council')
    .requiredOption('--joined <YYYY-MM-DD>', 'the date the body joined (or will join)')
    .option('--status <status>', `one of ${BODY_STATUSES.join(', ')}`, 'active')
    .option('--left <YYYY-MM-DD>', 'the date the body left')
    .option('--services <list>', 'comma-separated services in scope, e.g. "procurement,payroll"')
    .option(
      '--publishing-threshold <pounds>',
      'the amount the body publishes spend from (500, 250, or 0 for everything): the default for its uploads',
    )
    .option('--json', 'print the result as JSON')
    .action(async (id: string, options) => {
      const config = loadConfig();
      const result = (await callOperation(config, 'bodies.add', {
        bodyId: id,
        name: options.name,
        kind: options.kind,
        status: options.status,
        joinedOn: options.joined,
        leftOn: options.left,
        servicesInScope: options.services
          ? String(options.services)
              .split(',')
              .map((s) => s.trim())
          : [],
        ...(options.publishingThreshold !== undefined
          ? { publishingThreshold: options.publishingThreshold }
          : {}),
      })) as { body: Body; created: boolean };
      // per-body layout: the body's own topics (and, with the admin login, its ACLs); idempotent.
      const kafka = await prepareBodyTopics(config, id);
      if (options.json) printJson({ ...result, ...(kafka ? { kafka } : {}) });
      else
        process.stdout.write(
          `${result.created ? 'Registered' : 'Already registered'}: ${id} (${result.body.name})\n${kafka ? `${kafka}\n` : ''}`,
        );
    });

  bodies
    .command('list')
    .description('list the registered bodies')
    .option('--json', 'print as JSON')
    .action(async (options) => {
      const list = (await callOperation(loadConfig(), 'bodies.list')) as Body[];
      if (options.json) printJson({ bodies: list });
      else
        printTable(list, [
          'bodyId',
          'name',
          'kind',
          'status',
          'joinedOn',
          'leftOn',
          'publishingThreshold',
          'servicesInScope',
        ]);
    });
}
