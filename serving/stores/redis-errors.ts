import { UnavailableError, VigilError } from '../../core/errors';

/**
 * Turns a failed Redis command (connection lost, timeout, server error) into {@link UnavailableError}, the error the
 * memory stores never raise and callers map to 503 or a fail mode. Vigil's own errors pass through unchanged.
 */
export async function guardRedis<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof VigilError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new UnavailableError('serving_store_unavailable', `serving store unavailable: ${message}`);
  }
}
