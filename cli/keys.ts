/** `spend keys create|list|revoke`: API keys, stored hashed; a new key's secret is printed once. */
import type { Command } from 'commander';
import { loadConfig } from '../lib/config.ts';
import type { KeyListing } from '../lib/keys.ts';
import { callOperation } from '../owner/call-operation.ts';
import { printJson, printTable } from './output.ts';

export function registerKeysCommands(program: Command): void {
  const keys = program.command('keys').description('API keys for the HTTP API and the dashboards');
  keys
    .command('create <name>')
    .description('create a key; its secret is shown now and never again')
    .requiredOption('--role <role>', 'body, procurement, finance or admin')
    .option('--body <id>', 'the body a body key acts for')
    .option('--expires-in-days <days>', 'days until it stops working', '90')
    .option('--json', 'print as JSON')
    .action(async (name: string, options) => {
      const created = (await callOperation(loadConfig(), 'keys.create', {
        name,
        role: options.role,
        ...(options.body ? { bodyId: String(options.body) } : {}),
        expiresInDays: Number(options.expiresInDays),
      })) as KeyListing & { key: string };
      if (options.json) printJson(created);
      else {
        process.stdout.write(`${created.key}\n`);
        process.stderr.write(
          `Key ${created.keyId} (${created.role}${created.bodyId ? ` for ${created.bodyId}` : ''}) expires ${created.expiresAt}. Keep it now: it is not shown again.\n`,
        );
      }
    });
  keys
    .command('list')
    .description('every key (never the secrets)')
    .option('--json', 'print as JSON')
    .action(async (options) => {
      const list = (await callOperation(loadConfig(), 'keys.list', {})) as KeyListing[];
      if (options.json) printJson({ keys: list });
      else printTable(list);
    });
  keys
    .command('revoke <keyId>')
    .description('revoke a key at once (its sessions end too)')
    .action(async (keyId: string) => {
      const revoked = (await callOperation(loadConfig(), 'keys.revoke', { keyId })) as KeyListing;
      process.stdout.write(`Key ${revoked.keyId} revoked at ${revoked.revokedAt}.\n`);
    });
}
