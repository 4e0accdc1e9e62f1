import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError, NotFoundError, VigilError } from '../core/errors';
import { FEATURE_SET_VERSION, featureNames, type ScoredEventType } from '../features/definitions';
import { modelJsonSchema, type ModelJson } from './explainer';
import { manifestSchema, type Manifest } from './manifest';

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
 * Reads `dir/manifest.json` and `dir/model.onnx` and refuses the pair unless the ONNX file's sha256 is the
 * manifest's, and the manifest's feature names, their order and the feature set version are exactly those the running
 * code computes for its event type.
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
  const first = expected.findIndex((name, i) => manifest.featureNames[i] !== name);
  if (first >= 0 || manifest.featureNames.length !== expected.length) {
    const at = first >= 0 ? first : Math.min(expected.length, manifest.featureNames.length);
    throw new ArtifactMismatchError(
      dir,
      `feature ${at} is '${manifest.featureNames[at] ?? '(none)'}' in the manifest but '${expected[at] ?? '(none)'}' in the running definitions`,
    );
  }
  return { dir, manifest, onnx, modelJson };
}

/** What a promotion changed: the event type's champion, and the one it replaced (for rollback). */
export interface Promotion {
  eventType: ScoredEventType;
  previous: string | undefined;
}

/** A model version per event type: the champions, or the challengers. */
export type VersionByType = Partial<Record<ScoredEventType, string>>;

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

  /**
   * Stores a trained artifact as a new version; with `promoteFirst`, the first model of an event type becomes its
   * champion.
   */
  async add(
    version: string,
    files: Record<string, Uint8Array | string>,
    eventType: ScoredEventType,
    promoteFirst: boolean,
  ): Promise<{ dir: string; champion: boolean }> {
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
    const champions = await this.champions();
    const champion = promoteFirst && champions[eventType] === undefined;
    if (champion) await this.writeVersions(CHAMPIONS, { ...champions, [eventType]: version });
    return { dir, champion };
  }

  private async readVersions(file: string): Promise<VersionByType> {
    try {
      return JSON.parse(await readFile(join(this.root, file), 'utf8')) as VersionByType;
    } catch {
      return {};
    }
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
