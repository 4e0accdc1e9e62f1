/**
 * Presents a source of batches as a one-item-at-a-time async iterator. Unlike an async generator it resolves
 * buffered items without the generator machinery, so per-record iteration stays cheap; `return()` (a `break` in
 * `for await`) closes the source, which releases its file.
 */
export function flattenBatches<T>(source: AsyncIterable<readonly T[]>): AsyncIterableIterator<T> {
  const batches = source[Symbol.asyncIterator]();
  let batch: readonly T[] = [];
  let index = 0;

  async function pull(): Promise<IteratorResult<T>> {
    for (;;) {
      const next = await batches.next();
      if (next.done) return { value: undefined, done: true };
      batch = next.value;
      index = 0;
      if (batch.length > 0) return { value: batch[index++] as T, done: false };
    }
  }

  return {
    next(): Promise<IteratorResult<T>> {
      return index < batch.length ? Promise.resolve({ value: batch[index++] as T, done: false }) : pull();
    },
    async return(): Promise<IteratorResult<T>> {
      batch = [];
      await batches.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
