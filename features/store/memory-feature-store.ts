import type { EventRef } from '../records';
import { kindOf, type EntityName, type EntityStates } from '../state/entity-kinds';
import type { FeatureStore, StepStates, StoreStep } from './feature-store';

/**
 * The embedded default and the offline replay backend: entity states live in process memory and records are
 * folded in as they come. Nothing survives the process.
 */
export class MemoryFeatureStore implements FeatureStore {
  private readonly states = new Map<string, EntityStates[EntityName]>();
  private readonly refs = new Map<string, EventRef>();

  private stateOf(entity: EntityName, key: string): EntityStates[EntityName] {
    const id = `${entity}\u0000${key}`;
    let state = this.states.get(id);
    if (!state) {
      state = kindOf(entity).init();
      this.states.set(id, state);
    }
    return state;
  }

  async apply<T>(steps: readonly StoreStep[], onStates: (index: number, states: StepStates) => T): Promise<(T | undefined)[]> {
    const out = new Array<T | undefined>(steps.length);
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i] as StoreStep;
      const states = step.updates.map((u) => this.stateOf(u.entity, u.key));
      if (step.read) out[i] = onStates(i, states);
      step.updates.forEach((u, j) => (kindOf(u.entity).apply as (s: unknown, r: unknown) => boolean)(states[j], u.record));
      if (step.ref) this.refs.set(step.ref.eventId, step.ref.ref);
    }
    return out;
  }

  async getEventRefs(eventIds: readonly string[]): Promise<(EventRef | undefined)[]> {
    return eventIds.map((id) => this.refs.get(id));
  }

  async readState<N extends EntityName>(entity: N, key: string): Promise<EntityStates[N] | undefined> {
    const state = this.states.get(`${entity}\u0000${key}`);
    return state === undefined ? undefined : (kindOf(entity).decode(kindOf(entity).encode(state as EntityStates[N])) as EntityStates[N]);
  }

  async close(): Promise<void> {}
}
