import express, { type ErrorRequestHandler, type Express } from 'express';
import { STATUS_CODES } from 'node:http';
import { join } from 'node:path';
import { NotFoundError, VigilError } from '../core/errors';
import { PROJECT_ROOT } from '../core/runtime';
import type { ServingDeps } from './deps';
import { openApiDocument } from './openapi';
import { authenticate } from './routes/auth-middleware';
import { caseRoutes } from './routes/case-routes';
import { ingestRoutes } from './routes/ingest-routes';
import { modelRoutes } from './routes/model-routes';
import { scoreRoutes } from './routes/score-routes';
import { observeRequests } from './routes/request-metrics';

/**
 * The HTTP app: health and metrics without a key, the review page, and every `/v1` route behind an API key with
 * scopes and a rate limit. Never listens (server.ts does), so tests drive it in-process.
 */
export function createApp(deps: ServingDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Answers are to POSTs or change with every call: an ETag (a SHA-1 of each body) would never be revalidated.
  // The review page's static files keep theirs (express.static makes its own).
  app.set('etag', false);
  app.set('trust proxy', false);
  app.use(observeRequests(deps.metrics));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const readiness = await deps.readiness();
    res.status(readiness.ready ? 200 : 503).json(readiness);
  });
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.contentType).send(await (deps.scrapeMetrics?.() ?? deps.metrics.metrics()));
  });
  app.use('/review', express.static(join(PROJECT_ROOT, 'serving', 'review'), { index: 'index.html', fallthrough: false }));

  const v1 = express.Router();
  // Authenticate before parsing: an anonymous client must not make the server parse bodies.
  v1.use(authenticate(deps.auth, deps.rateLimiter));
  v1.use(express.json({ limit: deps.bodyLimit ?? '1mb', strict: true, type: () => true }));
  v1.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  v1.use(scoreRoutes(deps), ingestRoutes(deps), caseRoutes(deps), modelRoutes(deps));
  app.use('/v1', v1);

  app.use(() => {
    throw new NotFoundError('no such route');
  });
  app.use(errorHandler(deps));
  return app;
}

interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

function errorHandler(deps: ServingDeps): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (err instanceof VigilError) {
      const retryAfter = (err as { retryAfterSeconds?: unknown }).retryAfterSeconds;
      if (typeof retryAfter === 'number') res.set('Retry-After', String(retryAfter));
      res.status(err.httpStatus).json({ error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } });
      return;
    }
    const e = err as BodyParserError;
    if (e?.type === 'entity.too.large') {
      res.status(413).json({ error: { code: 'payload_too_large', message: `request body exceeds ${deps.bodyLimit ?? '1mb'}` } });
      return;
    }
    if (e?.type === 'entity.parse.failed') {
      res.status(400).json({ error: { code: 'invalid_json', message: 'request body is not valid JSON', details: [{ path: [], message: e.message }] } });
      return;
    }
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      // Errors of Express's own middleware (a missing file of the review page is a 404 from serve-static): the code
      // is the body parser's type, else the status's name (`not_found`), as clients match on codes.
      res.status(e.status).json({ error: { code: e.type ?? statusCode(e.status), message: e.message } });
      return;
    }
    deps.log.error({ err: e?.stack ?? String(err), path: req.path }, 'unhandled error');
    res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
  };
}

/** `Not Found` → `not_found`. */
const statusCode = (status: number): string => (STATUS_CODES[status] ?? 'Bad Request').toLowerCase().replace(/[^a-z]+/g, '_');
