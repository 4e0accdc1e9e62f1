import { SCORED_EVENT_TYPES, type ScoredEventType } from '../../features/definitions';
import { createExplainer, type Explainer } from '../../models/explainer';
import type { Manifest } from '../../models/manifest';
import { OnnxSession } from '../../models/onnx/onnx-session';
import type { ModelRegistry, Promotion } from '../../models/registry';

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

/** A change of the models in service: the champion or the challenger (none: `undefined`) of an event type. */
export type ModelChange =
  | { kind: 'champion'; type: ScoredEventType; version: string }
  | { kind: 'challenger'; type: ScoredEventType; version: string | undefined };

/**
 * The models in service: a champion per event type and an optional challenger scored in shadow, as the registry names
 * them. Swapping replaces a reference, so a request that already holds the old model finishes on it; the old session
 * is released after a grace period rather than under a request's feet.
 *
 * Promotions and shadowing made here are recorded in the registry first; {@link sync} puts in service what the
 * registry names, which is how changes made by another process (another instance or worker on the same registry,
 * `vigil models promote`) reach this one. These operations run one at a time, each on the state the one before left.
 */
export class ModelHolder {
  private readonly champions = new Map<ScoredEventType, LoadedModel>();
  private readonly challengers = new Map<ScoredEventType, LoadedModel>();
  private readonly listeners: ((change: ModelChange) => void)[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly registry: ModelRegistry,
    private readonly releaseAfterMs = 30_000,
  ) {}

  champion(type: ScoredEventType): LoadedModel | undefined {
    return this.champions.get(type);
  }

  challenger(type: ScoredEventType): LoadedModel | undefined {
    return this.challengers.get(type);
  }

  /** Promotes a version (checked and loaded before it is recorded) and puts it in service; returns the previous champion. */
  promote(version: string): Promise<Promotion> {
    return this.exclusive(async () => {
      const [model, result] = await this.loadThen(version, () => this.registry.promote(version));
      this.putChampion(model);
      this.report({ kind: 'champion', type: result.eventType, version });
      return result;
    });
  }

  /** Starts scoring `version` in shadow next to its type's champion (never acted on), or stops it; returns its type. */
  shadow(version: string, enabled: boolean): Promise<ScoredEventType> {
    return this.exclusive(async () => {
      let type: ScoredEventType;
      if (enabled) {
        let model: LoadedModel;
        [model, type] = await this.loadThen(version, () => this.registry.shadow(version, true));
        this.swap(this.challengers, type, model);
      } else {
        type = await this.registry.shadow(version, false);
        if (this.challengers.get(type)?.manifest.version === version) this.swap(this.challengers, type, undefined);
      }
      this.report({ kind: 'challenger', type, version: this.challengers.get(type)?.manifest.version });
      return type;
    });
  }

  /** Calls `listener` with every change made through this holder (not with those {@link sync} finds). */
  onChange(listener: (change: ModelChange) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Puts in service the champions and challengers the registry names, where they differ from those serving; returns
   * the changes. A registry that names no champion for a type leaves the one serving (a removed file must not stop
   * scoring), and a challenger that is also the champion named is none. A version that cannot be loaded leaves its
   * type as it was; the others are still applied, then the call rejects with every such failure.
   */
  sync(): Promise<ModelChange[]> {
    return this.exclusive(async () => {
      const [champions, challengers] = await Promise.all([this.registry.champions(), this.registry.challengers()]);
      const wanted: ModelChange[] = [];
      for (const type of SCORED_EVENT_TYPES) {
        const champion = champions[type];
        const challenger = challengers[type] === champion ? undefined : challengers[type];
        if (champion !== undefined && champion !== this.champions.get(type)?.manifest.version) wanted.push({ kind: 'champion', type, version: champion });
        if (challenger !== this.challengers.get(type)?.manifest.version) wanted.push({ kind: 'challenger', type, version: challenger });
      }
      const changes: ModelChange[] = [];
      const failures: unknown[] = [];
      for (const change of wanted) {
        try {
          const model = change.version === undefined ? undefined : await this.loadFor(change.type, change.version);
          if (change.kind === 'champion') this.putChampion(model as LoadedModel);
          else this.swap(this.challengers, change.type, model);
          changes.push(change);
        } catch (err) {
          failures.push(err);
        }
      }
      if (failures.length) throw new AggregateError(failures, failures.map((e) => (e instanceof Error ? e.message : String(e))).join('; '));
      return changes;
    });
  }

  /** Loads `version`, then lets `record` write it to the registry; a refusal closes the session loaded for nothing. */
  private async loadThen<R>(version: string, record: (model: LoadedModel) => Promise<R>): Promise<[LoadedModel, R]> {
    const model = await loadModel(this.registry, version);
    try {
      return [model, await record(model)];
    } catch (err) {
      await model.session.close();
      throw err;
    }
  }

  private async loadFor(type: ScoredEventType, version: string): Promise<LoadedModel> {
    const [model] = await this.loadThen(version, async ({ manifest }) => {
      if (manifest.eventType !== type) throw new Error(`the registry names ${version} for ${type} events, but it is a ${manifest.eventType} model`);
    });
    return model;
  }

  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.queue.then(operation);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private putChampion(model: LoadedModel): void {
    const { eventType, version } = model.manifest;
    this.swap(this.champions, eventType, model);
    if (this.challengers.get(eventType)?.manifest.version === version) this.swap(this.challengers, eventType, undefined);
  }

  private report(change: ModelChange): void {
    for (const listener of this.listeners) listener(change);
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
