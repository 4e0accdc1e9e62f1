import { UnavailableError } from './errors';

/**
 * Settles with `work`, or rejects with {@link UnavailableError} (reason `reason`) once `ms` have passed. A dependency
 * that hangs (a stopped Redis keeps its connection open) must fail as fast as one that is down. Whatever `work` does
 * later is ignored.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, reason: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new UnavailableError(reason, `${reason}: no answer within ${ms} ms`)), ms);
  });
  work.catch(() => {}); // a late failure has nobody left to tell
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
