/**
 * The download manager: pin the revision, list the repo, fetch configs whole and each safetensors
 * header by Range, decide from them which byte ranges the requested towers use (plus the few KiB
 * the loader fingerprints), and fetch only those, coalesced, into the store (container.ts).
 *
 * Streams progress, honours an AbortSignal, retries a broken connection with exponential backoff
 * and resumes from the last stored byte (within a run and across page reloads: the manifest is
 * written first and the stored length says how far the data got), checks sizes, Content-Range and
 * checksums (sha256 / git blob id for whole files; header bytes and range lengths for partial
 * safetensors files), then loads the stored model once to record its fingerprint.
 */
import { loadCheckpoint } from '../model/checkpoint/load.ts';
import { parseShardIndex, readSafetensorsHeader, type SafetensorsHeader } from '../model/checkpoint/safetensors.ts';
import type { ByteSource } from '../model/checkpoint/types.ts';
import { containerDataLength, containerSource, resumePoint, type ContainerIndex } from './container.ts';
import { crossCheckWindows, failedCrossCheck } from './crossCheck.ts';
import { gitBlobOid, gitBlobOidOfStored, sha256Hex, sha256OfStored } from './digest.ts';
import { cancelledError, HubError } from './errors.ts';
import { checkRepoId, chooseRepoFiles, HubClient, type FetchLike, type HubFile, type RepoFileChoice, type Tower } from './hubClient.ts';
import { ProgressMeter } from './progress.ts';
import { coalesceRanges, isWholeFile, parseContentRange, rangeHeader, type ByteRange } from './ranges.ts';
import { modelIdFor, type ModelStore, type StoredFileEntry, type StoredManifest } from './storage.ts';
import { archFromConfig, fingerprintSampleRanges, plannedTensorsByTower, towerBytes } from './towers.ts';
import type { DownloadProgress, HubModelRequest, StoredModelInfo } from '../api/hub.ts';

export interface RetryPolicy {
  /** failures in a row without a new byte before giving up (default 6) */
  attempts: number;
  /** first backoff delay, doubled per failure (default 250 ms) */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 250, maxDelayMs: 8000 };

export interface DownloadOptions {
  store: ModelStore;
  fetch?: FetchLike;
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
  retry?: Partial<RetryPolicy>;
  /** merge ranges at most this many bytes apart into one request (default 64 KiB) */
  maxGap?: number;
  /** progress events at most this often, except phase changes (default 100 ms) */
  progressIntervalMs?: number;
  /** ms clock (tests) */
  now?: () => number;
}

/** the towers a request asks for; vision always */
export function requestedTowers(req: HubModelRequest): Tower[] {
  return req.towers?.includes('text') ? ['vision', 'text'] : ['vision'];
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** whether a failure may heal by retrying (lost connection, 5xx, 429) */
export function isRetryable(e: unknown): boolean {
  if (e instanceof HubError) return e.code === 'network' || (e.code === 'http' && /answered (5\d\d|429|408)/.test(e.message));
  return e instanceof TypeError; // fetch's network failures and cut bodies
}

export function backoffDelay(failures: number, policy: RetryPolicy): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failures - 1));
}

/** A safetensors header read from the first bytes only: a source that has just those bytes. */
function headerOnlySource(name: string, size: number, bytes: Uint8Array): ByteSource {
  return {
    name,
    size,
    async read(offset, length) {
      if (offset + length > bytes.byteLength) {
        throw new HubError('bad-listing', `${name}: the header extends past the ${bytes.byteLength} bytes read`, name);
      }
      return bytes.subarray(offset, offset + length);
    },
  };
}

/** how the server answered a Range request (Download.rangeResponse) */
export type RangeAnswer = 'content-range' | 'length-only' | 'whole';

interface RangeResponse {
  body: ReadableStream<Uint8Array>;
  /** bytes to drop from the body's start (a whole answer to a range starting later) */
  skip: number;
  answer: RangeAnswer;
}

/** what the progress line says when a weights file is fetched whole instead of by tower */
export const WHOLE_RANGE_IGNORED = 'whole file: the server ignores byte ranges; its sha256 is checked when complete';
export const WHOLE_UNCHECKABLE = 'whole file: byte ranges from this server cannot be checked; its sha256 is checked when complete';
export const WHOLE_CHECK_FAILED = 'whole file: byte ranges from this server did not match what was asked for; its sha256 is checked when complete';
export const CROSS_CHECKED = 'byte ranges without a readable Content-Range, each checked against a separately fetched window';

interface PlannedWeightsFile {
  file: HubFile;
  header: SafetensorsHeader;
  answer: RangeAnswer;
  segments: ByteRange[];
  crossChecks?: { start: number; end: number; sha256: string }[];
  wholeBecause?: string;
}

/** everything a download does once per model; runs in the order the methods are called */
class Download {
  readonly policy: RetryPolicy;
  readonly hub: HubClient;
  readonly repo: string;
  readonly towers: Tower[];
  meter?: ProgressMeter;
  modelId = '';
  /** the file being fetched (named in progress events) */
  currentFile = '';
  private lastEmit = -Infinity;
  private readonly now: () => number;

  constructor(
    readonly req: HubModelRequest,
    readonly options: DownloadOptions,
  ) {
    this.policy = { ...DEFAULT_RETRY, ...(options.retry ?? {}) };
    this.hub = new HubClient({ endpoint: req.endpoint, fetch: options.fetch, token: req.token });
    this.repo = checkRepoId(req.repo);
    this.towers = requestedTowers(req);
    this.now = options.now ?? (() => performance.now());
  }

  /** what the progress line says about how a file is fetched (whole file, checked ranges) */
  readonly notes = new Map<string, string>();

  emit(phase: DownloadProgress['phase'], file: string, force = false): void {
    if (!this.options.onProgress) return;
    const t = this.now();
    if (!force && t - this.lastEmit < (this.options.progressIntervalMs ?? 100)) return;
    this.lastEmit = t;
    const m = this.meter;
    const p = m ? m.snapshot(this.modelId, phase, file) : { modelId: this.modelId, phase, bytesDone: 0, bytesTotal: 0, rateBps: 0, etaSeconds: null, file, retries: 0 };
    const note = this.notes.get(file);
    this.options.onProgress(note ? { ...p, note } : p);
  }

  checkAbort(): void {
    if (this.options.signal?.aborted) throw cancelledError(`${this.repo}`);
  }

  /** run `attempt` until it succeeds; retryable failures wait and retry, counting only failures without progress */
  async withRetry<T>(what: string, attempt: () => Promise<T>, progressed: () => number = () => 0): Promise<T> {
    let failures = 0;
    let mark = progressed();
    for (;;) {
      this.checkAbort();
      try {
        return await attempt();
      } catch (e) {
        if (this.options.signal?.aborted) throw cancelledError(this.repo);
        if (!isRetryable(e)) throw e;
        const now = progressed();
        failures = now > mark ? 1 : failures + 1;
        mark = now;
        if (failures > this.policy.attempts) {
          throw new HubError('network', `${what}: gave up after ${this.policy.attempts} failed attempts in a row (${(e as Error).message})`);
        }
        if (this.meter) {
          this.meter.retries++;
          this.emit('download', this.currentFile, true);
        }
        await sleep(backoffDelay(failures, this.policy), this.options.signal).catch(() => {
          throw cancelledError(this.repo);
        });
      }
    }
  }

  /**
   * GET [start, end) of a file. The answer is one of
   * - 'content-range': a 206 whose Content-Range names exactly that range;
   * - 'length-only': a 206 whose Content-Range a script cannot read (a CDN on another origin that
   *   does not expose it): accepted only with exactly the requested length (checked here and
   *   while streaming); its offsets are checked later against what is known of the file;
   * - 'whole': a 200, the server ignored Range and sends the whole file (skip to `start`).
   */
  async rangeResponse(file: HubFile, revision: string, start: number, end: number): Promise<RangeResponse> {
    const res = await this.hub.getFile({ repo: this.repo, revision, file: file.path }, { headers: { Range: rangeHeader(start, end) }, signal: this.options.signal });
    if (!res.body) throw new HubError('network', `${file.path}: empty response body`, file.path);
    const refuse = async (code: 'size-mismatch' | 'range-mismatch', message: string) => {
      await res.body!.cancel().catch(() => {});
      return new HubError(code, message, file.path);
    };
    if (res.status === 206) {
      const raw = res.headers.get('content-range');
      if (raw === null) {
        const len = res.headers.get('content-length');
        if (len !== null && Number(len) !== end - start) {
          throw await refuse('range-mismatch', `${file.path}: asked for bytes ${start}..${end} of ${file.size}, the server sent ${len} bytes (its Content-Range is not readable)`);
        }
        return { body: res.body, skip: 0, answer: 'length-only' };
      }
      const cr = parseContentRange(raw);
      if (cr?.size !== undefined && cr.size !== file.size) {
        throw await refuse('size-mismatch', `${file.path}: the hub lists ${file.size} bytes, the server says the file has ${cr.size}`);
      }
      if (!cr || cr.start !== start || cr.end !== end) {
        throw await refuse('range-mismatch', `${file.path}: asked for bytes ${start}..${end} of ${file.size}, the server sent Content-Range ${raw}`);
      }
      return { body: res.body, skip: 0, answer: 'content-range' };
    }
    // 200: a server that ignores Range sends the whole file
    const len = Number(res.headers.get('content-length') ?? file.size);
    if (len !== file.size) throw await refuse('size-mismatch', `${file.path}: the hub lists ${file.size} bytes, the server sent ${len}`);
    return { body: res.body, skip: start, answer: 'whole' };
  }

  /** stream [start, end) to `sink`; throws a retryable error if the body ends early */
  async streamRange(
    file: HubFile,
    revision: string,
    start: number,
    end: number,
    sink: (chunk: Uint8Array) => Promise<void>,
    /** an answer already received for this range */
    received?: RangeResponse,
  ): Promise<RangeAnswer> {
    const { body, skip, answer } = received ?? (await this.rangeResponse(file, revision, start, end));
    const reader = body.getReader();
    let toSkip = skip;
    let left = end - start;
    const tooLong = () =>
      new HubError('range-mismatch', `${file.path}: asked for bytes ${start}..${end} of ${file.size}, the server sent more (its Content-Range is not readable)`, file.path);
    try {
      while (left > 0) {
        const { done, value } = await reader.read();
        if (done) throw new HubError('network', `${file.path}: connection closed with ${left} of ${end - start} bytes (from ${start}) still to come`, file.path);
        let chunk = value;
        if (toSkip > 0) {
          const n = Math.min(toSkip, chunk.byteLength);
          toSkip -= n;
          chunk = chunk.subarray(n);
        }
        if (chunk.byteLength > left) {
          if (answer === 'length-only') throw tooLong();
          chunk = chunk.subarray(0, left);
        }
        if (chunk.byteLength === 0) continue;
        left -= chunk.byteLength;
        await sink(chunk);
      }
      if (answer === 'length-only') {
        const rest = await reader.read();
        if (!rest.done && rest.value.byteLength > 0) throw tooLong();
      }
      return answer;
    } finally {
      await reader.cancel().catch(() => {});
    }
  }

  /** a small file whole (@huggingface/hub's downloadFile), checked against the listing's size and checksum */
  async fetchSmall(file: HubFile, revision: string): Promise<Uint8Array> {
    return this.withRetry(`${this.repo}: ${file.path}`, async () => {
      const bytes = await this.hub.readWhole({ repo: this.repo, revision, file: file.path }, file.size, this.options.signal);
      checkWholeFile(file, bytes);
      return bytes;
    });
  }

  /** exactly the bytes [start, end) of a file, with retries; says how the server answered */
  async fetchBytes(file: HubFile, revision: string, start: number, end: number, what: string): Promise<{ bytes: Uint8Array; answer: RangeAnswer }> {
    return this.withRetry(`${this.repo}: ${file.path} ${what}`, async () => {
      const bytes = new Uint8Array(end - start);
      let at = 0;
      const answer = await this.streamRange(file, revision, start, end, async (c) => {
        bytes.set(c, at);
        at += c.byteLength;
      });
      return { bytes, answer };
    });
  }

  /**
   * Bytes [0, 8) of a file; where the server ignores Range (a whole 200), the whole header from
   * that same answer, so a header costs one whole-file answer there, not two.
   */
  async headerFromWholeAnswer(file: HubFile, revision: string, headerEnd: (prefix: Uint8Array) => number): Promise<{ bytes: Uint8Array; answer: RangeAnswer }> {
    const received = await this.rangeResponse(file, revision, 0, 8);
    const { body, answer } = received;
    if (answer !== 'whole') {
      // a ranged answer: read as any range (length checks included)
      const bytes = new Uint8Array(8);
      let at = 0;
      await this.streamRange(file, revision, 0, 8, async (c) => {
        bytes.set(c, at);
        at += c.byteLength;
      }, received);
      return { bytes, answer };
    }
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let have = 0;
    let need = 8;
    try {
      while (have < need) {
        const { done, value } = await reader.read();
        if (done) throw new HubError('network', `${file.path}: connection closed after ${have} of the header's ${need} bytes`, file.path);
        chunks.push(value);
        have += value.byteLength;
        if (need === 8 && have >= 8) need = headerEnd(concat(chunks, 8));
      }
      return { bytes: concat(chunks, need), answer };
    } finally {
      await reader.cancel().catch(() => {});
    }
  }

  /**
   * The header of a safetensors file: 8 length bytes, then the JSON. Where the server's answers
   * cannot be placed by Content-Range, the header checks itself: its own byte count must fit
   * the listed size and the JSON must parse with data offsets ending at the file's end.
   */
  async fetchHeader(file: HubFile, revision: string): Promise<{ header: SafetensorsHeader; answer: RangeAnswer }> {
    if (file.size < 8) throw new HubError('size-mismatch', `${file.path}: ${file.size} bytes is too small for a safetensors file`, file.path);
    const headerEnd = (prefix: Uint8Array) => {
      const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
      return Math.min(file.size, 8 + view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32);
    };
    let { bytes, answer } = await this.withRetry(`${this.repo}: ${file.path} header`, () => this.headerFromWholeAnswer(file, revision, headerEnd));
    if (answer !== 'whole' && headerEnd(bytes) > 8) {
      const rest = await this.fetchBytes(file, revision, 8, headerEnd(bytes), 'header');
      const all = new Uint8Array(headerEnd(bytes));
      all.set(bytes);
      all.set(rest.bytes, 8);
      bytes = all;
    }
    const header = await readSafetensorsHeader(headerOnlySource(file.path, file.size, bytes));
    const described = Math.max(header.headerBytes.byteLength, ...[...header.tensors.values()].map((t) => t.byteOffset + t.byteLength));
    if (answer === 'length-only' && described !== file.size) {
      throw new HubError(
        'range-mismatch',
        `${file.path}: the header read through a server that hides Content-Range describes ${described} bytes, the hub lists ${file.size}`,
        file.path,
      );
    }
    return { header, answer };
  }
}

/** the first `n` bytes of `chunks` */
function concat(chunks: readonly Uint8Array[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    if (at >= n) break;
    const part = c.subarray(0, n - at);
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/** size and checksum of a whole file against the listing */
function checkWholeFile(file: HubFile, bytes: Uint8Array): void {
  if (bytes.byteLength !== file.size) {
    throw new HubError('size-mismatch', `${file.path}: the hub lists ${file.size} bytes, ${bytes.byteLength} arrived`, file.path);
  }
  if (file.sha256 && sha256Hex(bytes) !== file.sha256) {
    throw new HubError('sha256-mismatch', `${file.path}: sha256 ${sha256Hex(bytes)} differs from the hub's ${file.sha256}`, file.path);
  }
  if (!file.sha256 && file.gitOid && gitBlobOid(bytes) !== file.gitOid) {
    throw new HubError('sha256-mismatch', `${file.path}: git blob id ${gitBlobOid(bytes)} differs from the hub's ${file.gitOid}`, file.path);
  }
}

function weightFiles(choice: RepoFileChoice, smallBytes: Map<string, Uint8Array>): HubFile[] {
  if (choice.weights.kind === 'single') return [choice.weights.file];
  const index = parseShardIndex(new TextDecoder().decode(smallBytes.get(choice.weights.index.path)!), choice.weights.index.path);
  return index.shards.map((name) => {
    const f = choice.weights.kind === 'sharded' ? choice.weights.shards.get(name) : undefined;
    if (!f) throw new HubError('bad-listing', `${choice.weights.kind === 'sharded' ? choice.weights.index.path : ''} names shard ${name}, which the repo does not list`, name);
    return f;
  });
}

const CONFIG_OF = { hf: 'config.json', openclip: 'open_clip_config.json' } as const;

/**
 * By tower ranges where the server's answers can be placed in the file: by Content-Range, or
 * (Content-Range unreadable) by cross-check windows fetched now; else the whole file, sha256-checked.
 */
async function chooseTransfer(d: Download, revision: string, w: PlannedWeightsFile, headerEnd: number): Promise<void> {
  if (w.answer === 'content-range') return;
  if (w.answer === 'whole') w.wholeBecause = WHOLE_RANGE_IGNORED;
  else if (!isWholeFile(w.segments, w.file.size)) {
    const windows = crossCheckWindows(w.segments, headerEnd);
    if (!windows) w.wholeBecause = WHOLE_UNCHECKABLE;
    else {
      d.emit('headers', w.file.path, true);
      w.crossChecks = [];
      for (const win of windows) {
        const { bytes, answer } = await d.fetchBytes(w.file, revision, win.start, win.end, 'cross-check window');
        if (answer === 'whole') {
          w.wholeBecause = WHOLE_RANGE_IGNORED;
          break;
        }
        w.crossChecks.push({ ...win, sha256: sha256Hex(bytes) });
      }
    }
  }
  if (w.wholeBecause) {
    w.crossChecks = undefined;
    w.segments = [{ start: 0, end: w.file.size }];
  }
}

/** Plan a new download: fetch small files and headers, decide every file's segments. */
async function plan(d: Download, revision: string, requestedRevision: string): Promise<{ manifest: StoredManifest; prefetched: Map<string, Uint8Array> }> {
  d.emit('headers', '', true);
  const listing = await d.withRetry(`${d.repo}: file listing`, () => d.hub.listFiles(d.repo, revision, d.options.signal));
  const choice = await chooseRepoFiles(listing, `${d.repo}@${revision}`);
  const prefetched = new Map<string, Uint8Array>();
  for (const f of choice.smallFiles) prefetched.set(f.path, await d.fetchSmall(f, revision));
  const configName = CONFIG_OF[choice.layout];
  const text = (n: string) => {
    const b = prefetched.get(n);
    return b && new TextDecoder().decode(b);
  };
  const archs = archFromConfig(choice.layout, text(configName)!, configName, text('vocab.json'));

  const weights: PlannedWeightsFile[] = [];
  for (const file of weightFiles(choice, prefetched)) {
    d.emit('headers', file.path, true);
    weights.push({ file, ...(await d.fetchHeader(file, revision)), segments: [] });
  }
  const allNames = new Set(weights.flatMap((w) => [...w.header.tensors.keys()]));
  const byTower = plannedTensorsByTower(choice.layout, archs, allNames);
  const maxGap = d.options.maxGap ?? 64 * 1024;
  for (const w of weights) {
    const split = towerBytes(w.header.tensors, byTower);
    const headerEnd = w.header.headerBytes.byteLength;
    w.segments = coalesceRanges(
      [{ start: 0, end: headerEnd }, ...fingerprintSampleRanges(w.file.size, headerEnd), ...d.towers.flatMap((t) => split.ranges[t])],
      maxGap,
    );
    await chooseTransfer(d, revision, w, headerEnd);
    prefetched.set(w.file.path, w.header.headerBytes);
  }

  const files: StoredFileEntry[] = [
    ...choice.smallFiles.map((f) => ({ name: f.path, size: f.size, segments: [{ start: 0, end: f.size }], ...(f.sha256 ? { sha256: f.sha256 } : {}), ...(f.gitOid ? { gitOid: f.gitOid } : {}) })),
    ...weights.map((w) => ({
      name: w.file.path,
      size: w.file.size,
      segments: w.segments,
      ...(w.file.sha256 ? { sha256: w.file.sha256 } : {}),
      ...(w.file.gitOid ? { gitOid: w.file.gitOid } : {}),
      headerSha256: sha256Hex(w.header.headerBytes),
      headerBytes: w.header.headerBytes.byteLength,
      ...(w.crossChecks ? { crossChecks: w.crossChecks } : {}),
      ...(w.wholeBecause ? { wholeBecause: w.wholeBecause } : {}),
    })),
  ];
  const manifest: StoredManifest = {
    version: 1,
    id: d.modelId,
    endpoint: d.hub.endpoint,
    repo: d.repo,
    revision,
    requestedRevision,
    layout: choice.layout,
    towers: d.towers,
    files,
    complete: false,
    fingerprint: '',
    date: '',
  };
  return { manifest, prefetched };
}

/** fetch every segment not yet stored, appending to the file's data blob */
async function fetchFile(d: Download, m: StoredManifest, f: StoredFileEntry, prefetched?: Uint8Array): Promise<void> {
  const store = d.options.store;
  const appender = await store.appender(m.id, f.name);
  try {
    const index: ContainerIndex = { name: f.name, size: f.size, segments: f.segments };
    const planned = containerDataLength(index);
    let stored = await appender.size();
    if (stored > planned) {
      await appender.truncate(0); // not this plan's data
      stored = 0;
    }
    // bytes already in hand from planning (small files, headers): the first bytes of the blob
    if (prefetched && stored < prefetched.byteLength && f.segments[0]?.start === 0) {
      const add = prefetched.subarray(stored, Math.min(prefetched.byteLength, f.segments[0].end));
      await appender.append(add);
      d.meter!.add(add.byteLength);
      stored += add.byteLength;
    }
    const hubFile: HubFile = { path: f.name, size: f.size, ...(f.sha256 ? { sha256: f.sha256 } : {}) };
    for (;;) {
      const at = resumePoint(index, stored);
      if (!at) break;
      const seg = f.segments[at.segment];
      d.currentFile = f.name;
      d.emit('download', f.name, true);
      await d.withRetry(
        `${m.repo}: ${f.name} bytes ${at.fileOffset}..${seg.end}`,
        async () => {
          const from = resumePoint(index, stored)!.fileOffset; // after a cut: the first byte not stored
          await d.streamRange(hubFile, m.revision, from, seg.end, async (chunk) => {
            await appender.append(chunk);
            stored += chunk.byteLength;
            d.meter!.add(chunk.byteLength);
            d.emit('download', f.name);
          });
        },
        () => stored,
      );
    }
  } finally {
    await appender.close();
  }
}

/** check a stored file and record what was checked */
async function verifyFile(d: Download, m: StoredManifest, f: StoredFileEntry): Promise<void> {
  const store = d.options.store;
  const planned = containerDataLength({ name: f.name, size: f.size, segments: f.segments });
  const stored = await store.storedLength(m.id, f.name);
  if (stored !== planned) {
    throw new HubError('size-mismatch', `${f.name}: ${stored} bytes stored, ${planned} expected`, f.name);
  }
  const read = (o: number, l: number) => store.readData(m.id, f.name, o, l);
  const discard = async () => {
    const a = await store.appender(m.id, f.name);
    await a.truncate(0);
    await a.close();
  };
  if (isWholeFile(f.segments, f.size) && (f.sha256 || f.gitOid)) {
    d.emit('verify', f.name, true);
    if (f.sha256) {
      const got = await sha256OfStored(f.size, read, d.options.signal);
      if (got !== f.sha256) {
        await discard();
        throw new HubError('sha256-mismatch', `${f.name}: sha256 ${got} differs from the hub's ${f.sha256}; the stored copy was discarded`, f.name);
      }
      f.verified = { kind: 'sha256', sha256: got };
    } else {
      const got = await gitBlobOidOfStored(f.size, read, d.options.signal);
      if (got !== f.gitOid) {
        await discard();
        throw new HubError('sha256-mismatch', `${f.name}: git blob id ${got} differs from the hub's ${f.gitOid}; the stored copy was discarded`, f.name);
      }
      f.verified = { kind: 'git-oid', oid: got };
    }
    return;
  }
  if (f.headerSha256 && f.headerBytes) {
    const got = sha256Hex(await read(0, f.headerBytes));
    if (got !== f.headerSha256) {
      await discard();
      throw new HubError('sha256-mismatch', `${f.name}: the stored header differs from the header read when planning; the stored copy was discarded`, f.name);
    }
    if (f.crossChecks) {
      d.emit('verify', f.name, true);
      const failed = await failedCrossCheck(f.crossChecks, containerSource({ name: f.name, size: f.size, segments: f.segments }, stored, read));
      if (failed) {
        await discard();
        throw new HubError('range-mismatch', `${f.name}: the stored bytes ${failed.start}..${failed.end} differ from the same bytes fetched by a separate request; the stored copy was discarded`, f.name);
      }
      f.verified = { kind: 'ranges-cross-checked', headerBytes: f.headerBytes, ranges: f.segments.length, windows: f.crossChecks.length };
      return;
    }
    f.verified = { kind: 'ranges', headerBytes: f.headerBytes, ranges: f.segments.length };
    return;
  }
  f.verified = { kind: 'size' };
}

/**
 * Download (or resume, or find already stored) a model's files for the requested towers.
 * Resolves with the stored model's info; rejects with HubError ('cancelled' when aborted — the
 * partial download stays stored and resumes next time) or CheckpointError (not a usable CLIP repo).
 */
export async function downloadModel(req: HubModelRequest, options: DownloadOptions): Promise<StoredModelInfo> {
  const d = new Download(req, options);
  const store = options.store;
  const requestedRevision = req.revision ?? 'main';
  try {
    d.checkAbort();
    const revision = await d.withRetry(`${d.repo}@${requestedRevision}`, () => d.hub.resolveRevision(d.repo, requestedRevision, options.signal));
    d.modelId = modelIdFor(d.repo, revision);
    d.emit('resolve', '', true);

    let manifest = await store.manifest(d.modelId).catch(() => undefined);
    const covers = manifest && d.towers.every((t) => manifest!.towers.includes(t));
    if (manifest?.complete && covers) return finish(d, manifest);
    if (manifest && !covers) {
      // a different set of towers: plan anew (stored segments would not line up)
      await store.delete(d.modelId);
      manifest = undefined;
    }
    let prefetched = new Map<string, Uint8Array>();
    if (!manifest) {
      ({ manifest, prefetched } = await plan(d, revision, requestedRevision));
      await store.saveManifest(manifest);
    }
    const m = manifest;
    const total = m.files.reduce((n, f) => n + containerDataLength({ name: f.name, size: f.size, segments: f.segments }), 0);
    d.meter = new ProgressMeter(total, { now: options.now });
    for (const f of m.files) {
      const stored = Math.min(await store.storedLength(m.id, f.name), containerDataLength({ name: f.name, size: f.size, segments: f.segments }));
      d.meter.skip(stored);
    }
    for (const f of m.files) {
      const note = f.wholeBecause ?? (f.crossChecks ? CROSS_CHECKED : undefined);
      if (note) d.notes.set(f.name, note);
    }
    /** a partial file whose ranges the server misplaced: stored bytes dropped, fetched whole instead (its sha256 decides) */
    const misplaced = (e: unknown, f: StoredFileEntry) => e instanceof HubError && e.code === 'range-mismatch' && !isWholeFile(f.segments, f.size);
    const wholeInstead = async (i: number): Promise<StoredModelInfo> => {
      const f = m.files[i];
      const appender = await store.appender(m.id, f.name);
      await appender.truncate(0);
      await appender.close();
      m.files[i] = { name: f.name, size: f.size, segments: [{ start: 0, end: f.size }], ...(f.sha256 ? { sha256: f.sha256 } : {}), ...(f.gitOid ? { gitOid: f.gitOid } : {}), wholeBecause: WHOLE_CHECK_FAILED };
      await store.saveManifest(m);
      return downloadModel(req, options);
    };
    for (const [i, f] of m.files.entries()) {
      try {
        await fetchFile(d, m, f, prefetched.get(f.name));
      } catch (e) {
        if (misplaced(e, f)) return wholeInstead(i);
        throw e;
      }
    }
    for (const [i, f] of m.files.entries()) {
      try {
        await verifyFile(d, m, f);
      } catch (e) {
        if (misplaced(e, f)) return wholeInstead(i);
        throw e;
      }
    }
    await store.saveManifest(m);

    d.emit('verify', '', true);
    // marked complete only once the loader accepts the stored files
    const { files } = await store.openModelFiles(m.id, { allowIncomplete: true });
    const ckpt = await loadCheckpoint(files);
    m.complete = true;
    m.fingerprint = ckpt.fingerprint;
    await store.saveManifest(m);
    return finish(d, m);
  } catch (e) {
    if (options.signal?.aborted && !(e instanceof HubError && e.code === 'cancelled')) throw cancelledError(d.repo);
    if ((e as Error).name === 'AbortError') throw cancelledError(d.repo);
    throw e;
  }
}

async function finish(d: Download, m: StoredManifest): Promise<StoredModelInfo> {
  const info = await d.options.store.info(m);
  d.meter ??= new ProgressMeter(info.totalBytes, { now: d.options.now });
  if (d.meter.bytesDone < info.totalBytes) d.meter.skip(info.totalBytes - d.meter.bytesDone);
  d.emit('done', '', true);
  return info;
}
