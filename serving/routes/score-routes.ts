import { Router } from 'express';
import type { ServingDeps } from '../deps';
import { principalOf, receivedAtOf, requireScope } from './auth-middleware';

/** `POST /v1/score/login` and `POST /v1/score/withdrawal`. */
export function scoreRoutes(deps: ServingDeps): Router {
  const router = Router();
  for (const type of ['login', 'withdrawal'] as const) {
    router.post(`/score/${type}`, requireScope('score'), async (req, res) => {
      res.json(await deps.scoring.score(type, req.body, { keyId: principalOf(res).keyId }, receivedAtOf(res)));
    });
  }
  return router;
}
