import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contractJsonSchemas } from './schemas.ts';

describe('published JSON Schemas', () => {
  it('docs/schemas matches the zod contracts (run `npm run schemas` after changing a contract)', () => {
    for (const [file, schema] of Object.entries(contractJsonSchemas())) {
      const published = JSON.parse(readFileSync(new URL(`../docs/schemas/${file}`, import.meta.url), 'utf8'));
      expect(published, file).toEqual(schema);
    }
  });
});
