import type { ScoredEventType } from '../features/definitions';
import type { FeatureStore } from '../features/store/feature-store';
import type { Readiness } from './deps';
import type { ModelHolder } from './scorer/model-holder';

export interface ReadinessOptions {
  store: Pick<FeatureStore, 'readState'>;
  models: Pick<ModelHolder, 'champion'>;
  /** Events in the spool not yet applied (spool.ts). */
  spoolBacklog: () => number;
  /** How long the feature store may take to answer the probe, ms: the scoring deadline. */
  deadlineMs: number;
}

const SCORED_TYPES: readonly ScoredEventType[] = ['login', 'withdrawal'];
/** A user key no event can carry (event ids and user ids are trimmed), so the probe reads nothing real. */
const PROBE_USER = ' readiness probe ';

/**
 * `/readyz`: ready when the feature store answers a read within the scoring deadline (else every score would be a
 * fail-mode answer), each event type has a champion in service (else its events get the fail mode), and the spool is
 * empty (events answered during an outage are applied; until then features of their users lag behind).
 */
export function createReadiness(o: ReadinessOptions): () => Promise<Readiness> {
  return async () => {
    const checks: Readiness['checks'] = {};
    checks.featureStore = await probeStore(o.store, o.deadlineMs);
    for (const type of SCORED_TYPES) {
      const champion = o.models.champion(type);
      checks[`model.${type}`] = champion ? { ok: true, detail: champion.manifest.version } : { ok: false, detail: 'no champion in service' };
    }
    const backlog = o.spoolBacklog();
    checks.spool = backlog === 0 ? { ok: true } : { ok: false, detail: `${backlog} events waiting to be applied` };
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  };
}

async function probeStore(store: Pick<FeatureStore, 'readState'>, deadlineMs: number): Promise<{ ok: boolean; detail?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<{ ok: false; detail: string }>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${deadlineMs} ms` }), deadlineMs);
  });
  const probe = store.readState('user', PROBE_USER).then(
    () => ({ ok: true }),
    (err: unknown) => ({ ok: false, detail: err instanceof Error ? err.message : String(err) }),
  );
  try {
    return await Promise.race([probe, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
