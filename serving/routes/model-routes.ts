import { Router } from 'express';
import { z } from 'zod';
import { ValidationError } from '../../core/errors';
import { SCORED_EVENT_TYPES } from '../../features/definitions';
import type { ServingDeps } from '../deps';
import { promotionEntry } from '../stores/serving-stores';
import { principalOf, requireScope } from './auth-middleware';

/** `GET /v1/models`, `POST /v1/models/:version/promote` (also rollback: promote the previous one), shadowing. */
export function modelRoutes(deps: ServingDeps): Router {
  const router = Router();
  router.get('/models', requireScope('admin'), async (_req, res) => {
    const registry = deps.models.registry;
    const [versions, champions] = await Promise.all([registry.list(), registry.champions()]);
    res.json({
      champions,
      challengers: Object.fromEntries(
        SCORED_EVENT_TYPES.flatMap((t) => {
          const c = deps.models.challenger(t);
          return c ? [[t, c.manifest.version]] : [];
        }),
      ),
      versions: versions.map((m) => ({ name: m.name, version: m.version, eventType: m.eventType, algorithm: m.algorithm, createdAt: m.createdAt, thresholds: m.thresholds, metrics: m.metrics })),
    });
  });
  router.post('/models/:version/promote', requireScope('admin'), async (req, res) => {
    const version = String(req.params.version);
    const result = await deps.models.promote(version);
    try {
      await deps.audit.append(promotionEntry(principalOf(res).keyId, version, result));
    } catch (err) {
      // No promotion stands unaudited: the previous champion goes back, and the caller hears why (503 with Redis away).
      if (result.previous !== undefined) {
        await deps.models.promote(result.previous).catch((undo: unknown) => deps.log.error({ err: String(undo), version, previous: result.previous }, 'undoing an unaudited promotion failed'));
      }
      throw err;
    }
    res.json({ version, ...result });
  });
  const shadowBody = z.strictObject({ enabled: z.boolean() });
  router.post('/models/:version/shadow', requireScope('admin'), async (req, res) => {
    const parsed = shadowBody.safeParse(req.body ?? {});
    if (!parsed.success) throw new ValidationError('invalid body', parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })));
    const version = String(req.params.version);
    const eventType = await deps.models.shadow(version, parsed.data.enabled);
    await deps.audit.append({ kind: 'challenger', actor: principalOf(res).keyId, subject: version, data: { enabled: parsed.data.enabled, eventType } });
    res.json({ version, eventType, shadow: parsed.data.enabled });
  });
  return router;
}
