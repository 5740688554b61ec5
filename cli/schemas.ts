import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { invoiceV1 } from '../ingest/topics/invoices/schema.ts';
import { purchaseOrderV1 } from '../ingest/topics/purchase-orders/schema.ts';

/** The message contracts as JSON Schema, for producers who do not read TypeScript. */
export function contractJsonSchemas(): Record<string, unknown> {
  const options = { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' } as const;
  return {
    'invoice.v1.schema.json': z.toJSONSchema(invoiceV1, options),
    'purchase-order.v1.schema.json': z.toJSONSchema(purchaseOrderV1, options),
  };
}

export function registerSchemasCommand(program: Command): void {
  program
    .command('schemas')
    .description('write the message contracts as JSON Schema files')
    .option('--out <dir>', 'output folder', 'docs/schemas')
    .action((options: { out: string }) => {
      mkdirSync(options.out, { recursive: true });
      for (const [file, schema] of Object.entries(contractJsonSchemas())) {
        writeFileSync(join(options.out, file), `${JSON.stringify(schema, null, 2)}\n`);
        process.stdout.write(`wrote ${join(options.out, file)}\n`);
      }
    });
}
