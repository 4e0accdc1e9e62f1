import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, openSync, unlinkSync } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { ValidationError } from '../../core/errors';
import { isGzipPath } from './file-input';

/** Text is handed to the stream in chunks of about this many characters: one stream write per row is slow. */
const FLUSH_CHARS = 1 << 16;
const DONE: Promise<void> = Promise.resolve();

/**
 * A buffered text output file (gzip when the path ends in `.gz`), written atomically: bytes go to a temporary
 * file in the same directory, renamed over the target by {@link TextSink.close}. `write` resolves at once while
 * the stream keeps up and waits for `drain` when it does not, so awaiting it bounds memory (backpressure).
 */
export class TextSink {
  private buffer = '';
  private failure: unknown;
  private closing: Promise<void> | undefined;

  constructor(
    readonly path: string,
    private readonly tempPath: string,
    private readonly head: Writable,
    private readonly done: Promise<void>,
  ) {
    done.catch((err: unknown) => {
      this.failure = err;
    });
  }

  /** Appends text; the promise resolves when the caller may write more. */
  write(text: string): Promise<void> {
    if (this.closing) throw new Error(`${this.path}: write after close`);
    this.buffer += text;
    return this.buffer.length >= FLUSH_CHARS ? this.flush() : DONE;
  }

  /** Flushes, finishes the gzip stream if any, and renames the temporary file to the target path. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.buffer.length > 0) this.head.write(this.buffer);
      this.buffer = '';
      this.head.end();
      try {
        await this.done;
        await rename(this.tempPath, this.path);
      } catch (err) {
        await unlink(this.tempPath).catch(() => {});
        throw err;
      } finally {
        forgetOnInterrupt(this.tempPath);
      }
    })();
    return this.closing;
  }

  /** Discards everything written: the temporary file is removed and the target is left untouched. */
  abort(): Promise<void> {
    this.closing ??= (async () => {
      this.buffer = '';
      this.head.destroy();
      await this.done.catch(() => {});
      await unlink(this.tempPath).catch(() => {});
      forgetOnInterrupt(this.tempPath);
    })();
    return this.closing;
  }

  private flush(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const chunk = this.buffer;
    this.buffer = '';
    if (this.head.write(chunk)) return DONE;
    return new Promise<void>((resolve, reject) => {
      this.head.once('drain', resolve);
      // A failing stream never drains: settle with its error instead of hanging.
      this.done.then(() => reject(new Error(`${this.path}: output ended while waiting to write`)), reject);
    });
  }
}

/** Opens a {@link TextSink} for `path`, creating its directory if needed; fails at once if the file cannot be created. */
export function openTextSink(path: string): TextSink {
  const tempPath = `${path}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  let fd: number;
  // Before the file exists: a signal that came between its creation and the handler would end the process at once.
  removeOnInterrupt(tempPath);
  try {
    mkdirSync(dirname(path), { recursive: true });
    fd = openSync(tempPath, 'wx');
  } catch (err) {
    forgetOnInterrupt(tempPath);
    throw new ValidationError(`cannot write ${path}: ${(err as Error).message}`, []);
  }
  const file = createWriteStream(tempPath, { fd, highWaterMark: 1 << 20 });
  if (!isGzipPath(path)) return new TextSink(path, tempPath, file, finished(file));
  const gzip = createGzip();
  return new TextSink(path, tempPath, gzip, pipeline(gzip, file));
}

/**
 * Temporary files of sinks still open. An interrupted command (Ctrl-C, a SIGTERM) never reaches close or abort: these
 * are removed before the signal takes its usual course, so that no half-written file is left behind. The handlers are
 * installed only while a sink is open, so a process without one (`vigil serve`) keeps its own signal handling.
 */
const openTempPaths = new Set<string>();
const INTERRUPTS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

function removeOnInterrupt(tempPath: string): void {
  if (openTempPaths.size === 0) for (const signal of INTERRUPTS) process.once(signal, onInterrupt);
  openTempPaths.add(tempPath);
}

function forgetOnInterrupt(tempPath: string): void {
  if (!openTempPaths.delete(tempPath) || openTempPaths.size > 0) return;
  for (const signal of INTERRUPTS) process.off(signal, onInterrupt);
}

function onInterrupt(signal: NodeJS.Signals): void {
  for (const tempPath of openTempPaths) {
    try {
      unlinkSync(tempPath);
    } catch {
      // Already gone.
    }
  }
  openTempPaths.clear();
  for (const other of INTERRUPTS) process.off(other, onInterrupt);
  // With no handler left, the signal again ends the process as it would have (exit status 128 + signal number).
  process.kill(process.pid, signal);
}
