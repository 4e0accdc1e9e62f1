import type { RequestHandler } from 'express';
import { Histogram, type Registry } from 'prom-client';

/** Latency histogram per route and status (`vigil_http_request_duration_seconds`). */
export function observeRequests(registry: Registry): RequestHandler {
  const histogram = new Histogram({
    name: 'vigil_http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.0005, 0.001, 0.002, 0.003, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  return (req, res, next) => {
    const end = histogram.startTimer();
    res.on('finish', () => {
      // The matched route pattern keeps the label set small (no ids in labels).
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
