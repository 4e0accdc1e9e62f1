import { Router } from 'express';
import type { ServingDeps } from '../deps';
import { principalOf, requireScope } from './auth-middleware';

/** `POST /v1/events` (ingest without scoring) and `POST /v1/labels`. */
export function ingestRoutes(deps: ServingDeps): Router {
  const router = Router();
  router.post('/events', requireScope('ingest'), async (req, res) => {
    res.status(202).json(await deps.ingest.events(req.body, principalOf(res).keyId));
  });
  router.post('/labels', requireScope('label'), async (req, res) => {
    res.status(202).json(await deps.ingest.labels(req.body, principalOf(res).keyId));
  });
  return router;
}
