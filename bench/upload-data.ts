/**
 * A large, realistic "spend over £500" transparency CSV for the upload benchmark, generated
 * deterministically: the columns of a typical council file, dd/mm/yyyy payment dates, amounts
 * with and without thousands separators (quoted when they have them), about a third of rows
 * redacted, some negatives, descriptions with commas (quoted), a transaction number column
 * (empty on every fifth row, so both id schemes are exercised) and a total row at the end.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

const SERVICES = ['Adult Services', "Children's Services", 'Place', 'Resources', 'Public Health', 'Highways'];
const EXPENSES = [
  'Private Contractors',
  'Agency Staff - Supply',
  'Grants',
  'Domiciliary Care',
  'Equipment, Furniture & Materials',
  'Consultancy',
  'Utilities - Electricity',
];
const SUPPLIERS = Array.from(
  { length: 4000 },
  (_, i) => `Supplier ${i} ${['Ltd', 'Limited', 'PLC', 'LLP', 'CIC'][i % 5]}`,
);

/** A small deterministic PRNG (mulberry32): the same file on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type GeneratedFile = { path: string; rows: number; bytes: number; netTotalPence: bigint };

export async function writeTransparencyCsv(path: string, rows: number): Promise<GeneratedFile> {
  const next = random(20231130);
  const out = createWriteStream(path);
  let bytes = 0;
  let total = 0n;
  const write = async (text: string) => {
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(
    'Body Name,Service Area,Expense Type,Payment Date,Transaction Number,Amount,Supplier Name,Description\n',
  );
  let batch = '';
  for (let i = 0; i < rows; i++) {
    const pence = BigInt(Math.floor(next() * 5_000_000) + 50_000) * (next() < 0.02 ? -1n : 1n);
    total += pence;
    const abs = pence < 0n ? -pence : pence;
    const whole = (abs / 100n).toString();
    const fraction = (abs % 100n).toString().padStart(2, '0');
    const grouped = next() < 0.5;
    const amount = `${pence < 0n ? '-' : ''}${grouped ? whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',') : whole}.${fraction}`;
    const day = 1 + Math.floor(next() * 30);
    const supplier = next() < 0.3 ? 'REDACTED' : (SUPPLIERS[Math.floor(next() * SUPPLIERS.length)] as string);
    const expense = EXPENSES[Math.floor(next() * EXPENSES.length)] as string;
    batch += [
      'Bench Council',
      SERVICES[Math.floor(next() * SERVICES.length)],
      expense.includes(',') ? `"${expense}"` : expense,
      `${String(day).padStart(2, '0')}/11/2023`,
      i % 5 === 4 ? '' : `TX${(1_000_000 + i).toString()}`,
      grouped && whole.length > 3 ? `"${amount}"` : amount,
      supplier,
      `"Invoice ${i}, ${expense.toLowerCase()}"`,
    ].join(',');
    batch += '\n';
    if (batch.length > 1 << 20) {
      await write(batch);
      batch = '';
    }
  }
  const totalAbs = total < 0n ? -total : total;
  batch += `Total,,,,,"${total < 0n ? '-' : ''}${(totalAbs / 100n).toString()}.${(totalAbs % 100n).toString().padStart(2, '0')}",,\n`;
  await write(batch);
  out.end();
  await once(out, 'finish');
  return { path, rows, bytes, netTotalPence: total };
}
