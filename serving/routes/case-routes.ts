import { Router } from 'express';
import type { ServingDeps } from '../deps';
import { principalOf, requireScope } from './auth-middleware';

/** `GET /v1/cases`, `GET /v1/cases/:id`, `POST /v1/cases/:id/label`: the analysts' queue. */
export function caseRoutes(deps: ServingDeps): Router {
  const router = Router();
  router.get('/cases', requireScope('review'), async (req, res) => {
    res.json(await deps.cases.list(req.query as Record<string, unknown>));
  });
  router.get('/cases/:id', requireScope('review'), async (req, res) => {
    res.json(await deps.cases.get(String(req.params.id)));
  });
  router.post('/cases/:id/label', requireScope('review'), async (req, res) => {
    res.json(await deps.cases.label(String(req.params.id), req.body, principalOf(res).keyId));
  });
  return router;
}
