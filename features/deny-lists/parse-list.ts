import { checkAddress, normalizeAddress } from '../../data/addresses';
import { readLines, type Line } from '../../data/io/lines';

/** Allowed list names: they become Redis key parts and file names. */
export const LIST_NAME = /^[a-z0-9_-]{1,64}$/;
/** Allowed chain names: the same form as a withdrawal's `chain` field (data/schemas.ts). */
export const CHAIN_NAME = /^[a-z0-9-]{1,32}$/;
/** Longest address accepted, as for a withdrawal's `address` field (data/schemas.ts). */
const MAX_ADDRESS_LENGTH = 128;
/** How many invalid lines a parse reports one by one; the rest are only counted. */
export const MAX_REPORTED_ERRORS = 20;

/** Why one line of a list file was skipped. */
export interface ListLineError {
  /** 1-based line number in the file. */
  line: number;
  reason: string;
}

/** A parsed list file: what will be loaded and what was skipped. */
export interface ParsedList {
  chain: string;
  /** Distinct valid addresses in their normal form, in file order. */
  addresses: string[];
  /** Address lines read (blank lines and comments excluded). */
  total: number;
  /** Lines whose address is not valid for the chain. */
  invalid: number;
  /** Valid lines repeating an address seen before (after normalisation). */
  duplicates: number;
  /** The first {@link MAX_REPORTED_ERRORS} invalid lines. */
  errors: ListLineError[];
}

/** Why a list name is not acceptable, or `undefined` when it is. */
export function listNameProblem(name: string): string | undefined {
  return LIST_NAME.test(name) ? undefined : `expected 1 to 64 characters out of a-z, 0-9, "_" and "-", got "${name}"`;
}

/** Why a chain name is not acceptable, or `undefined` when it is. */
export function chainNameProblem(chain: string): string | undefined {
  return CHAIN_NAME.test(chain) ? undefined : `expected a lower-case chain name such as "bitcoin" (a-z, 0-9, "-"), got "${chain}"`;
}

/**
 * Parses the lines of a list: one address per line; blank lines and `#` comments (whole-line or trailing) are
 * ignored. Each address is validated for `chain` and normalised; invalid lines are counted and reported, never
 * loaded and never fatal (real lists carry strays, e.g. a Tron address in OFAC's Bitcoin file).
 */
export async function parseListLines(chain: string, lines: AsyncIterable<Line> | Iterable<Line>): Promise<ParsedList> {
  const parsed: ParsedList = { chain, addresses: [], total: 0, invalid: 0, duplicates: 0, errors: [] };
  const seen = new Set<string>();
  for await (const { lineNo, text } of lines) {
    const hash = text.indexOf('#');
    const address = (hash === -1 ? text : text.slice(0, hash)).trim();
    if (address.length === 0) continue;
    parsed.total++;
    const check = address.length > MAX_ADDRESS_LENGTH ? { ok: false as const, reason: `longer than ${MAX_ADDRESS_LENGTH} characters` } : checkAddress(chain, address);
    if (!check.ok) {
      parsed.invalid++;
      if (parsed.errors.length < MAX_REPORTED_ERRORS) parsed.errors.push({ line: lineNo, reason: `invalid ${chain} address "${clip(address)}": ${check.reason}` });
      continue;
    }
    const normal = normalizeAddress(chain, address);
    if (seen.has(normal)) {
      parsed.duplicates++;
      continue;
    }
    seen.add(normal);
    parsed.addresses.push(normal);
  }
  return parsed;
}

/** Reads and parses a list file (gunzipped when it ends in `.gz`); a missing file is a `NotFoundError`. */
export function parseListFile(chain: string, path: string): Promise<ParsedList> {
  return parseListLines(chain, readLines(path));
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
