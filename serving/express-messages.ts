import type { Express } from 'express';
import { IncomingMessage, ServerResponse } from 'node:http';

/** The request and response classes an HTTP server creates its messages with (`http.createServer` options). */
export interface MessageClasses {
  IncomingMessage: typeof IncomingMessage;
  ServerResponse: typeof ServerResponse;
}

/**
 * Request and response classes whose instances are born with an Express app's prototypes, and the app switched to
 * them. Express 5 moves every request and response onto its prototypes with `Object.setPrototypeOf` (app.handle).
 * On V8 that is costly well beyond the call: with it, a bare Express route at 1,000 requests/s (`--trace-gc`) promoted
 * a few MB to the old generation on every scavenge, and each scavenge paused 5–8 ms; born with the prototypes
 * (Express then finds them in place and changes nothing), scavenges took 0.5–0.8 ms and the old generation stayed
 * flat. bench/serve.ts shows what it does for scoring.
 *
 * The classes are subclasses, with the app's request and response methods (Express's own and the app's, nearest
 * first) copied onto their prototypes, which become `app.request` and `app.response`. Requests the app receives from
 * other servers (supertest's, say) still get these prototypes from Express, as before.
 */
export function adoptMessageClasses(app: Express): MessageClasses {
  class Request extends IncomingMessage {}
  class Response<R extends IncomingMessage = IncomingMessage> extends ServerResponse<R> {}
  copyChain(app.request, IncomingMessage.prototype, Request.prototype);
  copyChain(app.response, ServerResponse.prototype, Response.prototype);
  // Express's typings describe the prototypes' methods, not the objects themselves.
  (app as { request: unknown }).request = Request.prototype;
  (app as { response: unknown }).response = Response.prototype;
  return { IncomingMessage: Request, ServerResponse: Response };
}

/** Defines on `target` every property of `from`'s prototype chain below `base`, the nearest definition winning. */
function copyChain(from: object, base: object, target: object): void {
  const levels: object[] = [];
  for (let o: object | null = from; o !== null && o !== base; o = Object.getPrototypeOf(o) as object | null) levels.push(o);
  for (const level of levels.reverse()) {
    // A class prototype (from an earlier adoption of the same app) names its own class: the target keeps its own.
    const { constructor: _constructor, ...properties } = Object.getOwnPropertyDescriptors(level);
    Object.defineProperties(target, properties);
  }
}

/** Whether a request handler is an Express app (it has the prototypes Express gives requests and responses). */
export function isExpressApp(handler: unknown): handler is Express {
  const h = handler as Partial<Express>;
  return typeof handler === 'function' && typeof h.request === 'object' && typeof h.response === 'object';
}
