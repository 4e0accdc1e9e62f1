import type { EventRef } from '../records';
import { kindOf, type EntityName, type EntityStates } from '../state/entity-kinds';
import type { EntityUpdate, FeatureStore, StepStates, StoreStep } from './feature-store';

/**
 * The embedded default and the offline replay backend: entity states live in process memory and records are
 * folded in as they come. Nothing survives the process.
 */
export class MemoryFeatureStore implements FeatureStore {
  private readonly states: Record<EntityName, Map<string, EntityStates[EntityName]>> = { user: new Map(), ip: new Map(), address: new Map(), device: new Map() };
  private readonly refs = new Map<string, EventRef>();

  private stateOf(entity: EntityName, key: string): EntityStates[EntityName] {
    const states = this.states[entity];
    let state = states.get(key);
    if (!state) {
      state = kindOf(entity).init();
      states.set(key, state);
    }
    return state;
  }

  async apply<T>(steps: readonly StoreStep[], onStates: (index: number, states: StepStates) => T, onKnownEvent?: (index: number) => void): Promise<(T | undefined)[]> {
    const out = new Array<T | undefined>(steps.length);
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i] as StoreStep;
      const updates = step.updates;
      const states: StepStates = new Array(updates.length);
      for (let j = 0; j < updates.length; j++) states[j] = this.stateOf((updates[j] as EntityUpdate).entity, (updates[j] as EntityUpdate).key);
      if (step.read) out[i] = onStates(i, states);
      for (let j = 0; j < updates.length; j++) {
        const u = updates[j] as EntityUpdate;
        (kindOf(u.entity).apply as (s: unknown, r: unknown) => boolean)(states[j], u.record);
      }
      if (step.ref) {
        if (onKnownEvent && this.refs.has(step.ref.eventId)) onKnownEvent(i);
        this.refs.set(step.ref.eventId, step.ref.ref);
      }
    }
    return out;
  }

  async getEventRefs(eventIds: readonly string[]): Promise<(EventRef | undefined)[]> {
    return eventIds.map((id) => this.refs.get(id));
  }

  async readState<N extends EntityName>(entity: N, key: string): Promise<EntityStates[N] | undefined> {
    const state = this.states[entity].get(key);
    return state === undefined ? undefined : (kindOf(entity).decode(kindOf(entity).encode(state as EntityStates[N])) as EntityStates[N]);
  }

  async close(): Promise<void> {}
}
