import { DEDUPE_HORIZON_MS, markSeen, type SeenIds } from '../../../features/state/entity-kind';
import { T0 } from './fixtures';

const fresh = (): SeenIds => ({ seen: new Map(), seenFloor: -Infinity, latest: -Infinity });

describe('markSeen', () => {
  it('applies an id once', () => {
    const s = fresh();
    expect(markSeen(s, 'a', T0, 3)).toBe(true);
    expect(markSeen(s, 'a', T0, 3)).toBe(false);
    expect(markSeen(s, 'a', T0 + 1, 3)).toBe(false);
  });

  it('keeps at most `max` ids, raising the floor to the time of the one it forgets', () => {
    const s = fresh();
    for (let i = 0; i < 4; i++) expect(markSeen(s, `e${i}`, T0 + i, 3)).toBe(true);
    expect([...s.seen.keys()]).toEqual(['e1', 'e2', 'e3']);
    expect(s.seenFloor).toBe(T0);
    // The forgotten id comes again: refused, though no longer remembered.
    expect(markSeen(s, 'e0', T0, 3)).toBe(false);
    // A new id at or before the floor could be a forgotten repeat as far as the state can tell: refused too.
    expect(markSeen(s, 'other', T0, 3)).toBe(false);
    expect(markSeen(s, 'later', T0 + 1, 3)).toBe(true);
  });

  it('never lowers the floor when a late id is forgotten after a newer one', () => {
    const s = fresh();
    markSeen(s, 'new', T0 + 10, 2);
    markSeen(s, 'late', T0 + 5, 2);
    markSeen(s, 'next', T0 + 11, 2); // forgets 'new' (arrived first): floor T0 + 10
    markSeen(s, 'last', T0 + 12, 2); // forgets 'late': the floor stays at T0 + 10
    expect(s.seenFloor).toBe(T0 + 10);
    expect(markSeen(s, 'new', T0 + 10, 2)).toBe(false);
    expect(markSeen(s, 'late', T0 + 5, 2)).toBe(false);
  });

  it('refuses an event older than the horizon behind the latest time', () => {
    const s = { ...fresh(), latest: T0 + DEDUPE_HORIZON_MS };
    expect(markSeen(s, 'old', T0, 10)).toBe(false);
    expect(markSeen(s, 'recent', T0 + 1, 10)).toBe(true);
  });
});
