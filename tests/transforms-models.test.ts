/**
 * Every model's given/expect fixtures (transforms/models/<layer>/<model>.<case>.test.yaml), each in
 * a fresh in-memory DuckDB; and every model has at least one.
 */
import { describe, expect, it } from 'vitest';
import { loadModels } from '../transforms/models.ts';
import { compareRows, listFixtures, runFixture } from './helpers/model-fixtures.ts';

const models = loadModels();
const fixtures = listFixtures();

describe('model fixtures', () => {
  it('cover every model', () => {
    const tested = new Set(fixtures.map((f) => f.model));
    expect(models.map((m) => m.name).filter((name) => !tested.has(name))).toEqual([]);
  });

  for (const fixture of fixtures) {
    it(fixture.name, async () => {
      const { actual, expected } = await runFixture(fixture, models);
      expect(compareRows(actual, expected)).toBeNull();
    });
  }
});

describe('fixture comparison', () => {
  it('binds placeholders consistently and compares decimals by value', () => {
    const rows = [
      { id: 'a', entity: 'X1', amount: '10.50' },
      { id: 'b', entity: 'X1', amount: '2.00' },
      { id: 'c', entity: 'X2', amount: '0.10' },
    ];
    expect(
      compareRows(rows, [
        { id: 'a', entity: '$e1', amount: 10.5 },
        { id: 'b', entity: '$e1', amount: '2' },
        { id: 'c', entity: '$e2', amount: '0.1' },
      ]),
    ).toBeNull();
    // a and b share a value, so giving them different placeholders fails
    expect(
      compareRows(rows, [
        { id: 'a', entity: '$e1' },
        { id: 'b', entity: '$e2' },
        { id: 'c', entity: '$e3' },
      ]),
    ).not.toBeNull();
    // b and c share a placeholder but not a value
    expect(
      compareRows(rows, [
        { id: 'a', entity: '$e1' },
        { id: 'b', entity: '$e2' },
        { id: 'c', entity: '$e2' },
      ]),
    ).not.toBeNull();
    // a differing decimal fails
    expect(compareRows(rows.slice(0, 1), [{ id: 'a', amount: '10.51' }])).not.toBeNull();
  });
});
