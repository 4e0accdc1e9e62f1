import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { ConflictError, NotFoundError, VigilError } from '../core/errors';
import { FEATURE_SET_VERSION, featureNames, SCORED_EVENT_TYPES, type ScoredEventType } from '../features/definitions';
import { modelJsonSchema, type ModelJson } from './explainer';
import { manifestSchema, type Manifest } from './manifest';
import { readOnnxModelInfo, type OnnxModelInfo } from './onnx/model-info';

/** A model artifact read from disk and checked: its manifest matches its ONNX file and the running features. */
export interface Artifact {
  dir: string;
  manifest: Manifest;
  onnx: Uint8Array;
  /** The in-process model behind the ONNX file, for explanations. */
  modelJson: ModelJson;
}

export const sha256Hex = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

/** Thrown when an artifact must not be served. */
export class ArtifactMismatchError extends VigilError {
  constructor(dir: string, reason: string) {
    super('model_mismatch', `refusing model in ${dir}: ${reason}`, 409);
  }
}

/**
 * Reads `dir/manifest.json` and `dir/model.onnx` and refuses the pair unless the directory is named for the manifest's
 * version, the ONNX file's sha256 is the manifest's, the manifest's feature names, their order and the feature set
 * version are exactly those the running code computes for its event type, and the ONNX file itself was exported for
 * them (its input width and metadata).
 */
export async function loadArtifact(dir: string): Promise<Artifact> {
  let raw: string;
  try {
    raw = await readFile(join(dir, 'manifest.json'), 'utf8');
  } catch {
    throw new NotFoundError(`no model at ${dir} (manifest.json missing)`);
  }
  const parsed = manifestSchema.safeParse(JSON.parse(raw));
  if (!parsed.success) {
    throw new ArtifactMismatchError(dir, `manifest.json is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const manifest = parsed.data;
  // The registry finds a version by its directory's name: a copy under another name would be listed under one
  // version and promoted under another.
  const dirName = basename(resolve(dir));
  if (dirName !== manifest.version) throw new ArtifactMismatchError(dir, `manifest.json names version '${manifest.version}' but the directory is '${dirName}'`);
  const onnx = new Uint8Array(await readFile(join(dir, 'model.onnx')));
  const digest = sha256Hex(onnx);
  if (digest !== manifest.onnxSha256) throw new ArtifactMismatchError(dir, `model.onnx sha256 ${digest} differs from the manifest's ${manifest.onnxSha256}`);
  const modelJsonText = await readFile(join(dir, 'model.json'), 'utf8');
  const jsonDigest = sha256Hex(modelJsonText);
  if (jsonDigest !== manifest.modelJsonSha256) {
    throw new ArtifactMismatchError(dir, `model.json sha256 ${jsonDigest} differs from the manifest's ${manifest.modelJsonSha256}`);
  }
  const modelJson = modelJsonSchema.parse(JSON.parse(modelJsonText));
  if (manifest.featureSetVersion !== FEATURE_SET_VERSION) {
    throw new ArtifactMismatchError(dir, `feature set ${manifest.featureSetVersion} is not the running ${FEATURE_SET_VERSION}`);
  }
  const expected = featureNames(manifest.eventType);
  const at = firstDifference(manifest.featureNames, expected);
  if (at >= 0) {
    throw new ArtifactMismatchError(dir, `feature ${at} is '${manifest.featureNames[at] ?? '(none)'}' in the manifest but '${expected[at] ?? '(none)'}' in the running definitions`);
  }
  assertOnnxMatchesManifest(dir, onnx, manifest);
  return { dir, manifest, onnx, modelJson };
}

/**
 * The sha256 ties the manifest to the ONNX file's bytes, not to what the file computes: a manifest edited to another
 * event type (and its feature names) would pass it, and every score would then fail in ONNX Runtime.
 */
function assertOnnxMatchesManifest(dir: string, onnx: Uint8Array, manifest: Manifest): void {
  let info: OnnxModelInfo;
  try {
    info = readOnnxModelInfo(onnx);
  } catch (err) {
    throw new ArtifactMismatchError(dir, `model.onnx is not an ONNX model (${(err as Error).message})`);
  }
  if (info.inputWidth !== manifest.featureNames.length) {
    throw new ArtifactMismatchError(dir, `model.onnx takes ${info.inputWidth ?? 'an unknown number of'} features but the manifest lists ${manifest.featureNames.length}`);
  }
  const recorded = { event_type: manifest.eventType, feature_set_version: manifest.featureSetVersion, model_kind: manifest.algorithm };
  for (const [key, value] of Object.entries(recorded)) {
    if (info.metadata[key] !== value) {
      throw new ArtifactMismatchError(dir, `model.onnx was exported with ${key} '${info.metadata[key] ?? '(none)'}' but the manifest says '${value}'`);
    }
  }
  const onnxNames = info.metadata.feature_names?.split(',') ?? [];
  const at = firstDifference(manifest.featureNames, onnxNames);
  if (at >= 0) {
    throw new ArtifactMismatchError(dir, `feature ${at} is '${manifest.featureNames[at] ?? '(none)'}' in the manifest but '${onnxNames[at] ?? '(none)'}' in model.onnx`);
  }
}

/** The first index where two lists of names differ (including one ending first), -1 when they are equal. */
function firstDifference(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** What a promotion changed: the event type's champion, and the one it replaced (for rollback). */
export interface Promotion {
  eventType: ScoredEventType;
  previous: string | undefined;
}

/** A model version per event type: the champions, or the challengers. */
export type VersionByType = Partial<Record<ScoredEventType, string>>;

const versionByTypeSchema = z.object({ login: z.string().optional(), withdrawal: z.string().optional() });

/**
 * Thrown when champions.json or challengers.json cannot be read: taking it for "none" would let the next promotion
 * overwrite it and drop the other event type's version.
 */
export class RegistryFileError extends VigilError {
  constructor(path: string, reason: string) {
    super('registry_unreadable', `cannot read the model registry's ${path}: ${reason}`, 500);
  }
}

/**
 * The model registry: one directory per version under `root`, `champions.json` naming the version serving each event
 * type and `challengers.json` the version scored in shadow beside it. Writes are atomic (temporary file, then rename).
 * Every `vigil serve` reading the same directory serves what these two files name (serving/model-sync.ts).
 */
export class ModelRegistry {
  constructor(readonly root: string) {}

  dirOf(version: string): string {
    if (!/^[A-Za-z0-9._-]+$/.test(version) || version.startsWith('.')) throw new NotFoundError(`no model version '${version}'`);
    return join(this.root, version);
  }

  async list(): Promise<Manifest[]> {
    let entries: string[];
    try {
      entries = await readdir(this.root);
    } catch {
      return [];
    }
    const manifests: Manifest[] = [];
    for (const entry of entries.sort()) {
      try {
        const parsed = manifestSchema.safeParse(JSON.parse(await readFile(join(this.root, entry, 'manifest.json'), 'utf8')));
        if (parsed.success) manifests.push(parsed.data);
      } catch {
        // Not a model directory (champions.json, challengers.json, a half-written temporary file or directory).
      }
    }
    return manifests;
  }

  champions(): Promise<VersionByType> {
    return this.readVersions(CHAMPIONS);
  }

  /** The version scored in shadow per event type, if any. */
  challengers(): Promise<VersionByType> {
    return this.readVersions(CHALLENGERS);
  }

  async load(version: string): Promise<Artifact> {
    return loadArtifact(this.dirOf(version));
  }

  /** Makes `version` the champion of its event type; returns the previous champion (for rollback). */
  async promote(version: string): Promise<Promotion> {
    const artifact = await this.load(version); // refuses a mismatched artifact before it can serve
    const champions = await this.champions();
    const eventType = artifact.manifest.eventType;
    const previous = champions[eventType];
    if (previous === version) throw new ConflictError(`${version} is already the ${eventType} champion`);
    await this.writeVersions(CHAMPIONS, { ...champions, [eventType]: version });
    // A champion is not also its own challenger.
    const challengers = await this.challengers();
    if (challengers[eventType] === version) await this.writeVersions(CHALLENGERS, { ...challengers, [eventType]: undefined });
    return { eventType, previous };
  }

  /**
   * Makes `version` the challenger of its event type (checked as a promotion is), or with `enabled` false stops
   * shadowing it; returns its event type. Stopping a version that is not the challenger changes nothing.
   */
  async shadow(version: string, enabled: boolean): Promise<ScoredEventType> {
    const eventType = (await this.load(version)).manifest.eventType;
    const challengers = await this.challengers();
    if (enabled) {
      if ((await this.champions())[eventType] === version) throw new ConflictError(`${version} is the ${eventType} champion; it cannot shadow itself`);
      await this.writeVersions(CHALLENGERS, { ...challengers, [eventType]: version });
    } else if (challengers[eventType] === version) {
      await this.writeVersions(CHALLENGERS, { ...challengers, [eventType]: undefined });
    }
    return eventType;
  }

  /** Stores a trained artifact as a new version; returns its directory. */
  async add(version: string, files: Record<string, Uint8Array | string>): Promise<string> {
    const dir = this.dirOf(version);
    await mkdir(this.root, { recursive: true });
    const tmp = join(this.root, `.tmp-${version}`);
    await mkdir(tmp, { recursive: true });
    for (const [name, data] of Object.entries(files)) await writeFile(join(tmp, name), data);
    try {
      await rename(tmp, dir);
    } catch {
      throw new ConflictError(`model version ${version} already exists`);
    }
    return dir;
  }

  /**
   * Makes each of `versions` the champion of its event type where that type has none yet (the first model of a type),
   * in one write; returns the versions that became champions.
   */
  async promoteWhereNoChampion(versions: VersionByType): Promise<VersionByType> {
    const champions = await this.champions();
    const promoted: VersionByType = {};
    for (const type of SCORED_EVENT_TYPES) if (champions[type] === undefined && versions[type] !== undefined) promoted[type] = versions[type];
    if (Object.keys(promoted).length > 0) await this.writeVersions(CHAMPIONS, { ...champions, ...promoted });
    return promoted;
  }

  /** Reads champions.json or challengers.json: a missing file names no version, an unreadable one is an error. */
  private async readVersions(file: string): Promise<VersionByType> {
    const path = join(this.root, file);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new RegistryFileError(path, (err as Error).message);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new RegistryFileError(path, `not JSON (${(err as Error).message})`);
    }
    const parsed = versionByTypeSchema.safeParse(json);
    if (!parsed.success) throw new RegistryFileError(path, parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
    return parsed.data;
  }

  /** Writes a version per event type (an `undefined` one is left out: JSON has no undefined). */
  private async writeVersions(file: string, versions: VersionByType): Promise<void> {
    const tmp = join(this.root, `.${file}-${process.pid}`);
    await writeFile(tmp, `${JSON.stringify(versions, null, 2)}\n`);
    await rename(tmp, join(this.root, file));
  }
}

const CHAMPIONS = 'champions.json';
const CHALLENGERS = 'challengers.json';
