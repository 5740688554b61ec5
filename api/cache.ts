/**
 * Answers of the read endpoints over the marts, cached per transform run: the marts change only
 * when a transform run writes them, and every run happens in this process (the owner), so the
 * cache is emptied when one ends (lib/transform-events.ts: whole, failed and single-model runs
 * alike). Its version, in the ETag, is `transform_runs`' latest run id and row count, read once
 * per ended run. Concurrent requests for one answer wait for the first rather than all query.
 *
 * Each answer carries a weak ETag of (version, caller's view, URL, format): `If-None-Match`
 * with it is answered 304 without a query. Answers are kept per caller's view (role and body), as
 * a body key sees other rows than procurement; only 200 answers up to MAX_ENTRY_BYTES are kept,
 * in at most MAX_TOTAL_BYTES (least recently used dropped first). A request with
 * `Cache-Control: no-cache` gets a freshly queried answer. A kept answer of 1 KiB or more is
 * also gzipped once, and sent so to clients that accept it (browsers do): a mart's 1,000-row page
 * is ~650 KB of JSON, and bench:api's cached price-dispersion page was bound by those bytes.
 */
import { createHash } from 'node:crypto';
import { constants, gzipSync } from 'node:zlib';
import type { Request, Response } from 'express';
import { type Database, queryRows } from '../lib/db.ts';
import type { Principal } from '../lib/keys.ts';
import { transformActivity } from '../lib/transform-events.ts';

const MAX_ENTRY_BYTES = 8 * 1024 * 1024;
const MAX_TOTAL_BYTES = 64 * 1024 * 1024;
/** Headers an answer is replayed with. */
const KEPT_HEADERS = ['content-type', 'content-disposition'] as const;

/** Answers smaller than this go out as they are: gzip would gain next to nothing. */
const MIN_GZIP_BYTES = 1024;

/** `gzip`: the body compressed once, when it is kept, for clients that accept it. */
type Entry = { body: Buffer; headers: Record<string, string>; gzip?: Buffer };
export type CacheOutcome = 'hit' | 'miss' | 'not-modified' | 'bypass';

export class AnswerCache {
  private version: string | null = null;
  /** transformActivity().ended when the version was read: a run ending since makes it stale. */
  private versionAsOf = -1;
  private readonly entries = new Map<string, Entry>();
  /** Answers being made now, by key: the same request arriving meanwhile waits for the first. */
  private readonly making = new Map<string, Promise<void>>();
  private bytes = 0;

  constructor(
    private readonly db: Database,
    private readonly onOutcome: (outcome: CacheOutcome) => void = () => undefined,
  ) {}

  /**
   * The marts' version: the latest transform run id, read again (and the cache emptied) only
   * after a run of this process ended, so answering from the cache costs no query.
   */
  async currentVersion(): Promise<string> {
    const { ended } = transformActivity();
    if (this.version !== null && ended === this.versionAsOf) return this.version;
    const [row] = await this.db.withConnection((conn) =>
      queryRows<{ version: string }>(
        conn,
        `select coalesce(max(run_id), 0)::varchar || '.' || count(*)::varchar as version from transform_runs`,
      ),
    );
    this.versionAsOf = ended;
    this.version = row?.version ?? '0.0';
    this.entries.clear();
    this.bytes = 0;
    return this.version;
  }

  /**
   * Answers from the cache (or 304) and returns true, or arranges for the answer the handler is
   * about to write to be kept, and returns false.
   */
  async answer(req: Request, res: Response, principal: Principal): Promise<boolean> {
    const version = await this.currentVersion();
    const view = principal.kind === 'key' ? `${principal.role}:${principal.bodyId ?? ''}` : 'anonymous';
    const key = `${version}\n${view}\n${req.originalUrl}\n${req.get('accept') ?? ''}`;
    const etag = `W/"${createHash('sha256').update(key).digest('base64url').slice(0, 27)}"`;
    res.setHeader('X-Marts-Version', version);
    // While a run rewrites the marts, a fresh answer may mix old and new tables: it gets no
    // ETag and is not kept; what was kept before the run is still a whole run's answer.
    const during = transformActivity();
    const settled = during.inProgress === 0;
    const asked = req.get('if-none-match');
    if (asked?.split(/\s*,\s*/).includes(etag)) {
      res.setHeader('ETag', etag);
      this.onOutcome('not-modified');
      res.status(304).end();
      return true;
    }
    // `Cache-Control: no-cache` asks for a fresh answer: run the query (and keep what it gives).
    // Not with If-None-Match: fetch() adds no-cache to every conditional request, and the cache
    // is the origin's own, so a stale ETag is answered from it.
    const fresh = !asked && /\bno-(cache|store)\b/i.test(req.get('cache-control') ?? '');
    if (!fresh && settled && !this.entries.has(key)) {
      const first = this.making.get(key);
      if (first) await first;
    }
    const entry = fresh ? undefined : this.entries.get(key);
    if (entry) {
      // most recently used last
      this.entries.delete(key);
      this.entries.set(key, entry);
      this.onOutcome('hit');
      res
        .status(200)
        .set(entry.headers)
        .set({ ETag: etag, 'Cache-Control': 'private, no-cache', 'X-Cache': 'hit' })
        .vary('Accept-Encoding');
      // a browser accepts gzip: a dashboard's 1,000-row page is a tenth of the bytes
      const compressed = entry.gzip && req.acceptsEncodings('gzip', 'identity') === 'gzip';
      if (compressed) res.setHeader('Content-Encoding', 'gzip');
      res.end(compressed ? entry.gzip : entry.body);
      return true;
    }
    this.onOutcome(fresh ? 'bypass' : 'miss');
    res.setHeader('X-Cache', fresh ? 'bypass' : 'miss');
    if (!settled) {
      res.setHeader('Cache-Control', 'no-store');
      return false;
    }
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'private, no-cache');
    res.vary('Accept-Encoding');
    this.keepWhatIsWritten(res, key, during.ended);
    return false;
  }

  /** Collects the body the handler writes; stores it once the answer ended as a 200. */
  private keepWhatIsWritten(res: Response, key: string, endedAtStart: number): void {
    let made: () => void = () => undefined;
    if (!this.making.has(key)) {
      this.making.set(
        key,
        new Promise<void>((resolve) => {
          made = () => {
            this.making.delete(key);
            resolve();
          };
        }),
      );
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    const collect = (chunk: unknown, encoding?: unknown) => {
      if (tooLarge || chunk === undefined || chunk === null || typeof chunk === 'function') return;
      const buffer = Buffer.isBuffer(chunk)
        ? chunk
        : typeof chunk === 'string'
          ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
          : Buffer.from(chunk as Uint8Array);
      size += buffer.length;
      if (size > MAX_ENTRY_BYTES) {
        tooLarge = true;
        chunks.length = 0;
      } else chunks.push(buffer);
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    res.write = ((...args: unknown[]) => {
      collect(args[0], args[1]);
      return write(...args);
    }) as Response['write'];
    res.end = ((...args: unknown[]) => {
      collect(args[0], args[1]);
      return end(...args);
    }) as Response['end'];
    res.once('close', () => {
      const now = transformActivity();
      // kept only if no run started or ended while it was made (it is then a whole run's answer)
      const whole = now.inProgress === 0 && now.ended === endedAtStart;
      if (whole && !tooLarge && res.statusCode === 200 && res.writableFinished) {
        const headers: Record<string, string> = {};
        for (const name of KEPT_HEADERS) {
          const value = res.getHeader(name);
          if (value !== undefined) headers[name] = String(value);
        }
        this.store(key, { body: Buffer.concat(chunks), headers });
      }
      made();
    });
  }

  private store(key: string, entry: Entry): void {
    const previous = this.entries.get(key);
    if (previous) {
      this.entries.delete(key);
      this.bytes -= previous.body.length + (previous.gzip?.length ?? 0);
    }
    // once per answer and run, at gzip's fastest level (a few ms for a 650 KB page; JSON
    // compresses nearly as well as at the default level)
    if (entry.body.length >= MIN_GZIP_BYTES)
      entry.gzip = gzipSync(entry.body, { level: constants.Z_BEST_SPEED });
    this.entries.set(key, entry);
    this.bytes += entry.body.length + (entry.gzip?.length ?? 0);
    this.dropOldest();
  }

  private dropOldest(): void {
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= MAX_TOTAL_BYTES) break;
      this.entries.delete(oldest);
      this.bytes -= old.body.length + (old.gzip?.length ?? 0);
    }
  }
}
