/** `spend members …`: the membership lifecycle of the register (docs/membership.md). */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { loadConfig } from '../lib/config.ts';
import type { MembershipEvent, MembershipRegister } from '../lib/membership.ts';
import { callOperation } from '../owner/call-operation.ts';
import { printJson, printTable } from './output.ts';

const EVENT_COLUMNS = [
  'effectiveOn',
  'bodyId',
  'change',
  'status',
  'joinedOn',
  'leftOn',
  'servicesInScope',
  'note',
];

const defaultUser = () => {
  try {
    return userInfo().username;
  } catch {
    return 'cli';
  }
};

const splitList = (value: string | undefined): string[] | undefined =>
  value === undefined
    ? undefined
    : value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

export function registerMembersCommands(program: Command): void {
  const members = program
    .command('members')
    .description('membership: prospective → active → left, services in scope, and the history of changes');

  members
    .command('list')
    .description('the register: every body, its status, dates and services in scope')
    .option('--json', 'print as JSON (with each body’s history)')
    .action(async (options) => {
      const register = (await callOperation(loadConfig(), 'members.register')) as MembershipRegister;
      if (options.json) {
        printJson(register);
        return;
      }
      printTable(register.bodies, ['bodyId', 'name', 'status', 'joinedOn', 'leftOn', 'servicesInScope']);
      const { prospective, active, left } = register.counts;
      process.stdout.write(`${active} active, ${prospective} prospective, ${left} left\n`);
    });

  members
    .command('history')
    .description('membership changes, oldest first')
    .option('--body <id>', 'one body only')
    .option('--from <YYYY-MM-DD>', 'changes taking effect on or after this day')
    .option('--to <YYYY-MM-DD>', 'changes taking effect on or before this day')
    .option('--json', 'print as JSON')
    .action(async (options) => {
      const events = (await callOperation(loadConfig(), 'members.events', {
        bodyId: options.body,
        from: options.from,
        to: options.to,
      })) as MembershipEvent[];
      if (options.json) printJson({ events });
      else printTable(events, EVENT_COLUMNS);
    });

  const change = (name: string, description: string, dateHelp: string) =>
    members
      .command(`${name} <id>`)
      .description(description)
      .requiredOption('--on <YYYY-MM-DD>', dateHelp)
      .option('--services <list>', 'comma-separated services in scope from then on')
      .option('--note <text>', 'why, for the history')
      .option('--by <name>', 'who records the change', defaultUser());

  const act =
    (kind: 'join' | 'leave' | 'services') => async (id: string, options: Record<string, string>) => {
      const result = (await callOperation(loadConfig(), 'members.change', {
        bodyId: id,
        change: kind,
        on: options.on,
        servicesInScope: splitList(options.services),
        note: options.note,
        by: options.by,
      })) as { event: MembershipEvent };
      const e = result.event;
      process.stdout.write(`${e.bodyId}: ${e.change} (${e.status}) from ${e.effectiveOn}\n`);
    };

  change('join', 'a prospective body joins the partnership', 'the day it joins').action(act('join'));
  change(
    'leave',
    'an active body leaves: its spend dated after --on drops out of partnership figures, its history stays',
    'its last day in the partnership',
  ).action(act('leave'));
  members
    .command('services <id>')
    .description('change the services a body has in scope')
    .requiredOption('--services <list>', 'comma-separated services in scope')
    .option('--on <YYYY-MM-DD>', 'the day the change takes effect (default today)')
    .option('--note <text>', 'why, for the history')
    .option('--by <name>', 'who records the change', defaultUser())
    .action(act('services'));
}
