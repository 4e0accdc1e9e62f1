import type { ScoredEventType } from '../../features/definitions';
import { createExplainer, type Explainer } from '../../models/explainer';
import type { Manifest } from '../../models/manifest';
import { OnnxSession } from '../../models/onnx/onnx-session';
import type { ModelRegistry } from '../../models/registry';

/** A model ready to score: its checked manifest, its ONNX Runtime session and its explainer. */
export interface LoadedModel {
  manifest: Manifest;
  session: OnnxSession;
  explainer: Explainer;
  /** Position of each feature in the model's input (policy rules read features by name). */
  featureIndex: ReadonlyMap<string, number>;
}

export async function loadModel(registry: ModelRegistry, version: string): Promise<LoadedModel> {
  const artifact = await registry.load(version);
  return {
    manifest: artifact.manifest,
    session: await OnnxSession.load(artifact.onnx, artifact.manifest.featureNames.length),
    explainer: createExplainer(artifact.modelJson),
    featureIndex: new Map(artifact.manifest.featureNames.map((name, i) => [name, i])),
  };
}

/** A change of the models in service, as one process tells the others serving beside it (`vigil serve --workers`). */
export type ModelChange =
  | { kind: 'champion'; type: ScoredEventType; version: string }
  | { kind: 'challenger'; type: ScoredEventType; version: string | undefined };

/**
 * The models in service: a champion per event type and an optional challenger scored in shadow. Swapping replaces a
 * reference, so a request that already holds the old model finishes on it; the old session is released after a grace
 * period rather than under a request's feet.
 *
 * Each promotion or shadowing change made here is reported to the `onChange` listeners; {@link follow} applies a
 * change another process made, without reporting it again.
 */
export class ModelHolder {
  private readonly champions = new Map<ScoredEventType, LoadedModel>();
  private readonly challengers = new Map<ScoredEventType, LoadedModel>();
  private readonly listeners: ((change: ModelChange) => Promise<void>)[] = [];

  constructor(
    readonly registry: ModelRegistry,
    private readonly releaseAfterMs = 30_000,
  ) {}

  /** Loads the registry's champions (a type without one stays empty: its events get the fail mode). */
  async loadChampions(): Promise<void> {
    const champions = await this.registry.champions();
    for (const [type, version] of Object.entries(champions) as [ScoredEventType, string][]) {
      this.swap(this.champions, type, await loadModel(this.registry, version));
    }
  }

  champion(type: ScoredEventType): LoadedModel | undefined {
    return this.champions.get(type);
  }

  challenger(type: ScoredEventType): LoadedModel | undefined {
    return this.challengers.get(type);
  }

  /** Promotes a version (checked before it is recorded) and puts it in service; returns the previous champion. */
  async promote(version: string): Promise<{ eventType: ScoredEventType; previous: string | undefined }> {
    const model = await loadModel(this.registry, version);
    const result = await this.registry.promote(version);
    this.putChampion(model);
    await this.report({ kind: 'champion', type: result.eventType, version });
    return result;
  }

  /** Scores `version` in shadow next to its type's champion (never acted on); `undefined` stops shadowing. */
  async setChallenger(type: ScoredEventType, version: string | undefined): Promise<void> {
    await this.putChallenger(type, version);
    await this.report({ kind: 'challenger', type, version });
  }

  /**
   * Calls `listener` with every change made through this holder (not with those it follows); the change is answered
   * once the listener resolves.
   */
  onChange(listener: (change: ModelChange) => Promise<void>): void {
    this.listeners.push(listener);
  }

  /**
   * Applies a change made by another process: a promotion it already recorded in the registry, or its shadowing.
   * A champion already in service is not loaded again.
   */
  async follow(change: ModelChange): Promise<void> {
    if (change.kind === 'challenger') return this.putChallenger(change.type, change.version);
    if (this.champions.get(change.type)?.manifest.version === change.version) return;
    this.putChampion(await loadModel(this.registry, change.version));
  }

  private putChampion(model: LoadedModel): void {
    const { eventType, version } = model.manifest;
    this.swap(this.champions, eventType, model);
    if (this.challengers.get(eventType)?.manifest.version === version) this.swap(this.challengers, eventType, undefined);
  }

  private async putChallenger(type: ScoredEventType, version: string | undefined): Promise<void> {
    const model = version === undefined ? undefined : await loadModel(this.registry, version);
    if (model && model.manifest.eventType !== type) throw new Error(`${version} is a ${model.manifest.eventType} model, not ${type}`);
    this.swap(this.challengers, type, model);
  }

  private async report(change: ModelChange): Promise<void> {
    await Promise.all(this.listeners.map((listener) => listener(change)));
  }

  private swap(map: Map<ScoredEventType, LoadedModel>, type: ScoredEventType, model: LoadedModel | undefined): void {
    const old = map.get(type);
    if (model) map.set(type, model);
    else map.delete(type);
    if (old) setTimeout(() => void old.session.close(), this.releaseAfterMs).unref();
  }

  async close(): Promise<void> {
    for (const m of [...this.champions.values(), ...this.challengers.values()]) await m.session.close();
  }
}
