/**
 * Stored models: one folder per model (id = repo + pinned commit) holding `manifest.json` and one
 * data blob per file (see container.ts). The folder operations are a small `StoreBackend`
 * interface: OPFS in the browser (opfsBackend.ts), memory here for Node tests.
 *
 * A manifest is written before any weight byte, so an interrupted download (closed tab, lost
 * connection) is listed as incomplete and resumes from the stored bytes.
 */
import { containerSource, type ContainerIndex } from './container.ts';
import { HubError } from './errors.ts';
import type { Tower } from './hubClient.ts';
import type { ByteRange } from './ranges.ts';
import type { FileVerification, StoredModelInfo } from '../api/hub.ts';
import { sourceModelFiles, type ModelFiles } from '../model/checkpoint/sources.ts';
import type { ByteSource } from '../model/checkpoint/types.ts';

/** Appends to one data blob; at most one open per blob. */
export interface Appender {
  size(): Promise<number>;
  append(bytes: Uint8Array): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

/** The storage operations a model store needs. Names are single path segments. */
export interface StoreBackend {
  readonly kind: 'memory' | 'opfs' | 'cache';
  listDirs(): Promise<string[]>;
  readText(dir: string, name: string): Promise<string | undefined>;
  writeText(dir: string, name: string, text: string): Promise<void>;
  /** 0 when absent */
  size(dir: string, name: string): Promise<number>;
  openAppender(dir: string, name: string): Promise<Appender>;
  read(dir: string, name: string, offset: number, length: number): Promise<Uint8Array>;
  removeDir(dir: string): Promise<void>;
}

export interface StoredFileEntry {
  readonly name: string;
  readonly size: number;
  /** fetched ranges of the original file; [0, size) for a whole file */
  readonly segments: readonly ByteRange[];
  readonly sha256?: string;
  readonly gitOid?: string;
  /** safetensors files: sha256 and length of the header bytes read when planning */
  readonly headerSha256?: string;
  readonly headerBytes?: number;
  /**
   * ranges fetched through a server whose Content-Range is unreadable: windows of the file fetched
   * by their own requests, which the stored ranges must match (see download.ts)
   */
  readonly crossChecks?: readonly CrossCheck[];
  /** why a weights file is fetched whole rather than by tower (said in the progress line) */
  readonly wholeBecause?: string;
  verified?: FileVerification;
}

export interface CrossCheck {
  readonly start: number;
  readonly end: number;
  readonly sha256: string;
}

export interface StoredManifest {
  readonly version: 1;
  readonly id: string;
  readonly endpoint: string;
  readonly repo: string;
  readonly revision: string;
  readonly requestedRevision: string;
  readonly layout: 'hf' | 'openclip';
  readonly towers: Tower[];
  files: StoredFileEntry[];
  complete: boolean;
  fingerprint: string;
  date: string;
}

export const MANIFEST = 'manifest.json';
const dataName = (file: string) => `${file}.data`;

/** a folder-safe id: "owner--name@commit" */
export function modelIdFor(repo: string, commit: string): string {
  return `${repo.replace(/\//g, '--')}@${commit}`;
}

function segmentBytes(f: StoredFileEntry): number {
  return f.segments.reduce((n, s) => n + s.end - s.start, 0);
}

export class ModelStore {
  constructor(readonly backend: StoreBackend) {}

  async manifest(id: string): Promise<StoredManifest | undefined> {
    const text = await this.backend.readText(id, MANIFEST);
    if (text === undefined) return undefined;
    try {
      const m = JSON.parse(text) as StoredManifest;
      if (m.version !== 1 || m.id !== id || !Array.isArray(m.files)) throw new Error('unknown manifest version');
      return m;
    } catch (e) {
      throw new HubError('storage', `stored model ${id}: manifest unreadable (${(e as Error).message}); delete it and download again`);
    }
  }

  async saveManifest(m: StoredManifest): Promise<void> {
    m.date = new Date().toISOString();
    await this.backend.writeText(m.id, MANIFEST, JSON.stringify(m));
  }

  storedLength(id: string, file: string): Promise<number> {
    return this.backend.size(id, dataName(file));
  }

  appender(id: string, file: string): Promise<Appender> {
    return this.backend.openAppender(id, dataName(file));
  }

  readData(id: string, file: string, offset: number, length: number): Promise<Uint8Array> {
    return this.backend.read(id, dataName(file), offset, length);
  }

  async info(m: StoredManifest): Promise<StoredModelInfo> {
    const files: StoredModelInfo['files'] = [];
    for (const f of m.files) {
      const stored = await this.storedLength(m.id, f.name);
      files.push({ name: f.name, size: f.size, storedBytes: stored, ...(f.verified ? { verified: f.verified } : {}) });
    }
    return {
      id: m.id,
      endpoint: m.endpoint,
      repo: m.repo,
      revision: m.revision,
      requestedRevision: m.requestedRevision,
      layout: m.layout,
      towers: [...m.towers],
      storedBytes: files.reduce((n, f) => n + f.storedBytes, 0),
      totalBytes: m.files.reduce((n, f) => n + segmentBytes(f), 0),
      complete: m.complete,
      date: m.date,
      fingerprint: m.fingerprint,
      files,
    };
  }

  /** every stored model, complete or not, newest first; folders without a manifest are skipped */
  async list(): Promise<StoredModelInfo[]> {
    const out: StoredModelInfo[] = [];
    for (const dir of await this.backend.listDirs()) {
      const m = await this.manifest(dir).catch(() => undefined);
      if (m) out.push(await this.info(m));
    }
    return out.sort((a, b) => b.date.localeCompare(a.date));
  }

  async delete(id: string): Promise<void> {
    await this.backend.removeDir(id);
  }

  /** the stored files of a model, read by original offsets (see container.ts) */
  async openSources(
    id: string,
    options: { allowIncomplete?: boolean } = {},
  ): Promise<{ manifest: StoredManifest; sources: Map<string, ByteSource> }> {
    const m = await this.manifest(id);
    if (!m) throw new HubError('not-stored', `no stored model ${id}`);
    if (!m.complete && !options.allowIncomplete) throw new HubError('not-stored', `stored model ${id} is incomplete: resume its download first`);
    const sources = new Map<string, ByteSource>();
    const missing = `stored with the ${m.towers.join(' and ')} tower${m.towers.length > 1 ? 's' : ''} only`;
    for (const f of m.files) {
      const index: ContainerIndex = { name: f.name, size: f.size, segments: f.segments };
      const read = (o: number, l: number) => this.readData(id, f.name, o, l);
      const stored = await this.storedLength(id, f.name);
      if (stored !== segmentBytes(f)) {
        throw new HubError('storage', `stored model ${id}: ${f.name} holds ${stored} bytes, expected ${segmentBytes(f)}; delete it and download again`, f.name);
      }
      sources.set(f.name, containerSource(index, stored, read, missing));
    }
    return { manifest: m, sources };
  }

  /** a stored model as a model folder for `loadCheckpoint` */
  async openModelFiles(id: string, options: { allowIncomplete?: boolean } = {}): Promise<{ manifest: StoredManifest; files: ModelFiles }> {
    const { manifest, sources } = await this.openSources(id, options);
    return { manifest, files: sourceModelFiles(sources, `stored model ${id}`) };
  }
}

// ---------------------------------------------------------------------------- memory backend

/** A StoreBackend in memory (Node tests; a browser without OPFS keeps models for the session). */
export function memoryBackend(): StoreBackend & { dirs: Map<string, Map<string, Uint8Array>> } {
  const dirs = new Map<string, Map<string, Uint8Array>>();
  const dir = (d: string) => {
    let m = dirs.get(d);
    if (!m) dirs.set(d, (m = new Map()));
    return m;
  };
  return {
    kind: 'memory',
    dirs,
    async listDirs() {
      return [...dirs.keys()];
    },
    async readText(d, name) {
      const b = dirs.get(d)?.get(name);
      return b && new TextDecoder().decode(b);
    },
    async writeText(d, name, text) {
      dir(d).set(name, new TextEncoder().encode(text));
    },
    async size(d, name) {
      return dirs.get(d)?.get(name)?.byteLength ?? 0;
    },
    async openAppender(d, name) {
      const files = dir(d);
      if (!files.has(name)) files.set(name, new Uint8Array(0));
      return {
        async size() {
          return files.get(name)!.byteLength;
        },
        async append(bytes) {
          const old = files.get(name)!;
          const next = new Uint8Array(old.byteLength + bytes.byteLength);
          next.set(old);
          next.set(bytes, old.byteLength);
          files.set(name, next);
        },
        async truncate(length) {
          files.set(name, files.get(name)!.slice(0, length));
        },
        async close() {},
      };
    },
    async read(d, name, offset, length) {
      const b = dirs.get(d)?.get(name);
      if (!b || offset + length > b.byteLength) throw new HubError('storage', `${d}/${name}: cannot read ${length} bytes at ${offset}`);
      return b.slice(offset, offset + length);
    },
    async removeDir(d) {
      dirs.delete(d);
    },
  };
}
