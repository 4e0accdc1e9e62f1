import { ValidationError, type FieldIssue } from '../../core/errors';

/**
 * One record of a file before schema validation: the decoded value (a parsed JSON line, a CSV row as an object),
 * or the reason it could not be decoded. `lineNo` is where the record starts (1-based).
 */
export type RawRecord = { lineNo: number; ok: true; value: unknown } | { lineNo: number; ok: false; issues: FieldIssue[] };

/** `path: reason; path: reason`, with the path left out for issues about the whole record. */
function describeIssues(issues: readonly FieldIssue[]): string {
  return issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

/** A bad record in a file: the message reads `file:line: field: reason`, the way compilers point at a line. */
export class InvalidRecordError extends ValidationError {
  constructor(
    readonly file: string,
    readonly line: number,
    issues: FieldIssue[],
  ) {
    super(`${file}:${line}: ${describeIssues(issues)}`, issues);
  }
}
