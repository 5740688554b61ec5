/**
 * Answers of the read endpoints over the marts, cached per transform run: the marts change only
 * when a transform run writes them, so an answer holds until the next model of a run is recorded
 * in `transform_runs`. The cache's version is that table's latest run id and row count (one row
 * per model built: any run, failed ones and single-model ones included, moves it on); a new
 * version drops every cached answer.
 *
 * Each answer carries a weak ETag of (version, caller's view, URL, format): `If-None-Match`
 * with it is answered 304 without a query. Answers are kept per caller's view (role and body), as
 * a body key sees other rows than procurement; only 200 answers up to MAX_ENTRY_BYTES are kept,
 * in at most MAX_TOTAL_BYTES (least recently used dropped first).
 */
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { type Database, queryRows } from '../lib/db.ts';
import type { Principal } from '../lib/keys.ts';

const MAX_ENTRY_BYTES = 8 * 1024 * 1024;
const MAX_TOTAL_BYTES = 64 * 1024 * 1024;
/** Headers an answer is replayed with. */
const KEPT_HEADERS = ['content-type', 'content-disposition'] as const;

type Entry = { body: Buffer; headers: Record<string, string> };
export type CacheOutcome = 'hit' | 'miss' | 'not-modified' | 'bypass';

export class AnswerCache {
  private version: string | null = null;
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(
    private readonly db: Database,
    private readonly onOutcome: (outcome: CacheOutcome) => void = () => undefined,
  ) {}

  /** The marts' version: the latest transform run id and how many models runs have recorded. */
  async currentVersion(): Promise<string> {
    const [row] = await this.db.withConnection((conn) =>
      queryRows<{ version: string }>(
        conn,
        `select coalesce(max(run_id), 0)::varchar || '.' || count(*)::varchar as version from transform_runs`,
      ),
    );
    const version = row?.version ?? '0.0';
    if (version !== this.version) {
      this.version = version;
      this.entries.clear();
      this.bytes = 0;
    }
    return version;
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
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'private, no-cache');
    res.setHeader('X-Marts-Version', version);
    const asked = req.get('if-none-match');
    if (asked?.split(/\s*,\s*/).includes(etag)) {
      this.onOutcome('not-modified');
      res.status(304).end();
      return true;
    }
    const entry = this.entries.get(key);
    if (entry) {
      // most recently used last
      this.entries.delete(key);
      this.entries.set(key, entry);
      this.onOutcome('hit');
      res.status(200).set(entry.headers).setHeader('X-Cache', 'hit');
      res.end(entry.body);
      return true;
    }
    this.onOutcome('miss');
    res.setHeader('X-Cache', 'miss');
    this.keepWhatIsWritten(res, key, version);
    return false;
  }

  /** Collects the body the handler writes; stores it once the answer ended as a 200. */
  private keepWhatIsWritten(res: Response, key: string, version: string): void {
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
    res.once('finish', () => {
      // an answer made under an older version is not kept (a run ended meanwhile)
      if (tooLarge || res.statusCode !== 200 || version !== this.version) return;
      const headers: Record<string, string> = {};
      for (const name of KEPT_HEADERS) {
        const value = res.getHeader(name);
        if (value !== undefined) headers[name] = String(value);
      }
      this.store(key, { body: Buffer.concat(chunks), headers });
    });
  }

  private store(key: string, entry: Entry): void {
    const previous = this.entries.get(key);
    if (previous) {
      this.entries.delete(key);
      this.bytes -= previous.body.length;
    }
    this.entries.set(key, entry);
    this.bytes += entry.body.length;
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= MAX_TOTAL_BYTES) break;
      this.entries.delete(oldest);
      this.bytes -= old.body.length;
    }
  }
}
