/**
 * Typed errors shared by every layer. Each carries a stable `code` (what clients and tests match on) and the HTTP
 * status the serving layer answers with; the command line prints `message` and exits non-zero.
 */

/** One problem with one field of an input: `path` is the field path, e.g. `["amount"]` or `["events", 3, "ts"]`. */
export interface FieldIssue {
  path: (string | number)[];
  message: string;
}

export class VigilError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus: number,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Invalid input (HTTP 400): `details` lists every field path at fault with its reason. */
export class ValidationError extends VigilError {
  constructor(
    message: string,
    readonly issues: FieldIssue[],
  ) {
    super('invalid_input', message, 400, issues);
  }
}

/** Invalid configuration: every problem is reported at once, then the process exits. */
export class ConfigError extends VigilError {
  constructor(readonly issues: FieldIssue[]) {
    super(
      'invalid_config',
      `invalid configuration:\n${issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`,
      500,
      issues,
    );
  }
}

export class NotFoundError extends VigilError {
  constructor(message: string) {
    super('not_found', message, 404);
  }
}

export class ConflictError extends VigilError {
  constructor(message: string) {
    super('conflict', message, 409);
  }
}

/** A dependency (Redis, a model) is missing or too slow: the caller applies its fail mode. */
export class UnavailableError extends VigilError {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super('unavailable', message, 503);
  }
}

/** Formats field issues as `path: reason; path: reason` for one-line messages (command line, logs). */
export function formatIssues(issues: FieldIssue[]): string {
  return issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}
