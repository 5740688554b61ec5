/**
 * Generates the demo without a broker and reports its size, time and memory:
 *
 *   /usr/bin/time -v node bin/run-ts.js demo/smoke.ts [invoiceLines=1000000] [manifest.json]
 */
import { countInvoiceLines, generateDemo } from './generate.ts';
import { writeManifest } from './manifest.ts';

const targetInvoiceLines = Number(process.argv[2] ?? 1_000_000);
const manifestPath = process.argv[3];

const started = performance.now();
const demo = generateDemo({ targetInvoiceLines });
let messages = 0;
let invoiceLines = 0;
for (const message of demo.messages()) {
  messages++;
  invoiceLines += countInvoiceLines(message);
}
const seconds = ((performance.now() - started) / 1000).toFixed(1);
if (manifestPath) await writeManifest(manifestPath, demo.manifest);
const rssMb = (process.memoryUsage().rss / 2 ** 20).toFixed(0);
console.log(`${messages} messages, ${invoiceLines} invoice lines in ${seconds} s (RSS now ${rssMb} MB)`);
