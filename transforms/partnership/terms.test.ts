/**
 * The agreement's partnership terms: service levels and commitments validated with the agreement
 * (errors name the file, line and field), and the rows stored for them.
 */
import { describe, expect, it } from 'vitest';
import { parseAgreement } from '../savings/agreement.ts';
import { partnershipTermRows } from './terms.ts';

const BASE = `agreement: p
partner: Acme
start: 2024-04-01
term_years: 10
contract_year_start_month: 4
rules:
  indexation: true
  cost_avoidance_counts: true
  net_price_increases: false
  split: pro-rata-months
  partner_pays_shortfall: true
  partner_share_above_guarantee_pct: 50
bodies:
  - { id: b1, joined: 2024-04-01 }
`;

describe('partnership terms in the agreement', () => {
  it('stores each year × measure target and year × category commitment, stretch defaulting to the contractual target', () => {
    const agreement = parseAgreement(
      'a.yaml',
      `${BASE}service_levels:
  - year: 2024
    days_to_pay: { contractual: 30, stretch: 20 }
    po_spend_pct: { contractual: 60.5 }
commitments:
  - year: 2024
    savings_team: 150000.50
    community_development: "100000"
`,
    );
    expect(partnershipTermRows(agreement)).toEqual({
      targets: [
        { contractYear: 2024, measure: 'days_to_pay', contractual: '30', stretch: '20' },
        { contractYear: 2024, measure: 'po_spend_pct', contractual: '60.5', stretch: '60.5' },
      ],
      commitments: [
        { contractYear: 2024, category: 'community_development', committed: '100000' },
        { contractYear: 2024, category: 'savings_team', committed: '150000.50' },
      ],
    });
  });

  it('an agreement without them is still valid (no targets, no commitments)', () => {
    expect(partnershipTermRows(parseAgreement('a.yaml', BASE))).toEqual({ targets: [], commitments: [] });
  });

  it('names the line and field of a target that is worse at stretch, a share over 100, an unknown measure', () => {
    const text = `${BASE}service_levels:
  - year: 2024
    days_to_pay: { contractual: 30, stretch: 40 }
    paid_within_30_days_pct: { contractual: 120 }
    invoices_lost: { contractual: 1 }
commitments:
  - year: 2024
    savings_team: -5
`;
    let message = '';
    try {
      parseAgreement('a.yaml', text);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(
      'a.yaml:17: service_levels.0.days_to_pay.stretch: the stretch target is at least as good',
    );
    expect(message).toContain(
      'a.yaml:18: service_levels.0.paid_within_30_days_pct.contractual: a percentage of at most 100',
    );
    expect(message).toMatch(/a\.yaml:1[56]: service_levels\.0: .*invoices_lost/);
    expect(message).toContain('a.yaml:22: commitments.0.savings_team:');
  });
});
