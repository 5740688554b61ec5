/**
 * Reading OCDS release packages (Open Contracting Data Standard 1.1; 1.0 packages, which carry
 * no version, read the same way for the fields used here). A package is checked for the shape
 * the contract register relies on (a `releases` array, each release with an `ocid` and an `id`)
 * and nothing more: the rest of a release is kept as published, HTML entities decoded, and the
 * models (transforms/models/*contract*) read what they need from it.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { UserError } from '../../lib/errors.ts';
import { decodeDeep } from './html-entities.ts';

const release = z.looseObject({
  ocid: z.string({ error: 'an "ocid"' }).trim().min(1, 'an "ocid"'),
  id: z.string({ error: 'an "id"' }).trim().min(1, 'an "id"'),
  date: z.string().nullish(),
  tag: z.array(z.string()).nullish(),
});

const releasePackage = z.looseObject({
  uri: z.string().nullish(),
  version: z.string().nullish(),
  publishedDate: z.string().nullish(),
  publisher: z.looseObject({ name: z.string().nullish() }).nullish(),
  releases: z.array(z.unknown()),
});

export type OcdsRelease = {
  ocid: string;
  releaseId: string;
  /** ISO date-time as published, or null. */
  date: string | null;
  tags: string[];
  /** The whole release, every string HTML-decoded. */
  release: Record<string, unknown>;
};

export type OcdsPackage = {
  /** sha256 of the file's text: the same file loaded twice is one package. */
  packageId: string;
  sourceFile: string;
  uri: string | null;
  version: string;
  publishedDate: string | null;
  publisherName: string | null;
  releases: OcdsRelease[];
};

const invalid = (file: string, problem: string) =>
  new UserError('invalid-input', `${file} is not an OCDS release package: ${problem}.`);

/** Parses one file's text; a UserError names the file and what is wrong with it. */
export function parseReleasePackage(sourceFile: string, text: string): OcdsPackage {
  const body = text.replace(/^\uFEFF/, '');
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw invalid(sourceFile, `it is not JSON (${(error as Error).message})`);
  }
  if (json && typeof json === 'object' && 'records' in json && !('releases' in json)) {
    throw invalid(sourceFile, 'it is a record package; load the release packages it was compiled from');
  }
  const parsed = releasePackage.safeParse(json);
  if (!parsed.success) throw invalid(sourceFile, 'it has no "releases" array');
  const pkg = parsed.data;
  const version = pkg.version ?? '1.0';
  if (!/^1\.[01]$/.test(version)) {
    throw invalid(sourceFile, `its version is "${version}"; OCDS 1.0 and 1.1 are understood`);
  }
  const releases = pkg.releases.map((raw, index): OcdsRelease => {
    const checked = release.safeParse(raw);
    if (!checked.success) {
      const what = checked.error.issues.map((i) => i.message).join(' and ');
      throw invalid(sourceFile, `release ${index + 1} lacks ${what}`);
    }
    const decoded = decodeDeep(checked.data) as Record<string, unknown> & z.infer<typeof release>;
    return {
      ocid: decoded.ocid.trim(),
      releaseId: decoded.id.trim(),
      date: decoded.date ?? null,
      tags: decoded.tag ?? [],
      release: decoded,
    };
  });
  return {
    packageId: createHash('sha256').update(body).digest('hex'),
    sourceFile,
    uri: pkg.uri ?? null,
    version,
    publishedDate: pkg.publishedDate ?? null,
    publisherName: pkg.publisher?.name ? (decodeDeep(pkg.publisher.name) as string) : null,
    releases,
  };
}
