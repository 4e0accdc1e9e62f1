import type { CaseStore } from '../stores/serving-stores';
import type { CaseDetail, CaseLabel, CaseLabelling, CaseListQuery, CasePage, CaseSummary } from './case-record';
import type { DetailsCipher } from './details-cipher';

/** How long a labelled case is kept after its latest label, ms: 90 days, then it leaves every index and expires. */
export const LABELLED_RETENTION_MS = 90 * 24 * 3_600_000;

/** What both backends are built with. */
export interface CaseRepositoryOptions {
  /** Seals details and notes on the way in, opens them in `reveal`. */
  cipher: DetailsCipher;
  /** Current time, ms: `openedAt` and the expiry of labelled cases. @defaultValue Date.now */
  now?: () => number;
  /** How long a labelled case is kept after its latest label, ms. @defaultValue {@link LABELLED_RETENTION_MS} */
  labelledRetentionMs?: number;
}

/** An analyst's label as a store records it. */
export interface CaseLabelUpdate {
  label: CaseLabel;
  /** Replaces any earlier note; undefined removes it. Stored encrypted. */
  note: string | undefined;
  /** API key id of the analyst. */
  labelledBy: string;
  at: Date;
}

export interface LabelOutcome {
  case: CaseSummary;
  /** The label this one replaced, if the case was labelled before. */
  previous: CaseLabelling | undefined;
}

/**
 * The cases of held and stepped-up events. `open` is what scoring calls (idempotent: a case opens once per event id,
 * and opening it again, labelled or not, changes nothing); the rest serves the analysts. Personal details are sealed
 * before they are stored and only {@link CaseRepository.reveal} decrypts them. Both backends raise the same errors
 * (UnavailableError when Redis cannot be reached).
 */
export interface CaseRepository extends CaseStore {
  /** A case without its details, or undefined. */
  get(id: string): Promise<CaseSummary | undefined>;
  /** A case with its details and note decrypted, or undefined. */
  reveal(id: string): Promise<CaseDetail | undefined>;
  /** One page of one index, newest first. */
  list(query: CaseListQuery): Promise<CasePage>;
  /** Records a label (the later one wins); undefined when there is no such case. */
  label(id: string, update: CaseLabelUpdate): Promise<LabelOutcome | undefined>;
  close(): Promise<void>;
}
