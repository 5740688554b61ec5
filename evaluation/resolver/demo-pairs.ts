/**
 * The demo generator's planted suppliers as a labelled sample: every raw spelling the generator
 * gives each body (with the identifiers it sends), and every pair of spellings, a match when
 * both belong to one planted supplier. Scored by the resolver test and bench:transforms alike.
 */
import { generateDemo } from '../../demo/generate.ts';
import type { AliasInput } from '../../transforms/resolver/resolve.ts';
import type { LabelledPair } from './score.ts';

export function plantedDemoSample(targetInvoiceLines = 20_000): {
  inputs: AliasInput[];
  pairs: LabelledPair[];
} {
  const { manifest } = generateDemo({ targetInvoiceLines });
  const inputs: AliasInput[] = [];
  const truth: { body: string; name: string; entity: string }[] = [];
  for (const group of manifest.supplierGroups) {
    for (const body of group.bodies) {
      for (const name of body.names) {
        inputs.push({
          bodyId: body.bodyId,
          name,
          vatNumbers: body.vatNumber ? [body.vatNumber] : [],
          companyNumbers: body.companyNumber ? [body.companyNumber] : [],
        });
        truth.push({ body: body.bodyId, name, entity: group.entityId });
      }
    }
  }
  const pairs: LabelledPair[] = [];
  truth.forEach((a, i) => {
    for (const b of truth.slice(i + 1)) {
      pairs.push({
        bodyA: a.body,
        nameA: a.name,
        bodyB: b.body,
        nameB: b.name,
        match: a.entity === b.entity,
        source: 'demo',
      });
    }
  });
  return { inputs, pairs };
}
