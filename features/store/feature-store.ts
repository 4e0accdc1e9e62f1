import type { EventRef } from '../records';
import type { EntityName, EntityRecords, EntityStates } from '../state/entity-kinds';

/** One record appended to one entity's log. */
export type EntityUpdate = { [N in EntityName]: { entity: N; key: string; record: EntityRecords[N] } }[EntityName];

/** The updates of one event or label, applied together. */
export interface StoreStep {
  updates: EntityUpdate[];
  /** Hand the states before the step to the caller (scoring, training rows); false for plain ingestion. */
  read: boolean;
  /** Remember the event for later labels (events only). */
  ref?: { eventId: string; ref: EventRef };
}

/** The state of each update's entity just before the step, in `updates` order. */
export type StepStates = EntityStates[EntityName][];

/**
 * Where entity state lives. A store applies steps in the order given; for a step with `read`, it calls
 * `onStates` with the states as they stood just before the step (the point-in-time view its features are computed
 * from), then appends the step's records. The states are lent: the store goes on updating them once `onStates` has
 * returned, so it must take what it needs from them before. Updates of one entity are atomic and ordered, so
 * concurrent writers and replays never interleave inside an entity. Both backends raise the same errors
 * ({@link UnavailableError} from core/errors when the backend cannot be reached).
 */
export interface FeatureStore {
  /**
   * `onKnownEvent`, when given, is told the index of each step whose event reference (`ref`) the store already held,
   * or an earlier step of the same call wrote: the event id was met before (a retry, a redelivery, a file ingested
   * twice). It says so without reading any entity, which steps without `read` never do.
   */
  apply<T>(steps: readonly StoreStep[], onStates: (index: number, states: StepStates) => T, onKnownEvent?: (index: number) => void): Promise<(T | undefined)[]>;
  /** What labels need to reach an event's entities; undefined for events never seen (or beyond the label horizon). */
  getEventRefs(eventIds: readonly string[]): Promise<(EventRef | undefined)[]>;
  /** One entity's current state (inspection, tests, reason texts); undefined when the entity has none. */
  readState<N extends EntityName>(entity: N, key: string): Promise<EntityStates[N] | undefined>;
  close(): Promise<void>;
}
