import { CHECK_ROUNDS, FIRST_SOLO_ROUNDS, MAX_SOLO_ROUNDS, SharingPolicy } from '../../../models/gbdt/sharing-policy';

/** Runs `rounds` rounds whose shared jobs took `sharedMs` against `aloneMs` alone; returns the sharing flag per round. */
function play(policy: SharingPolicy, rounds: number, sharedMs: number, aloneMs: number): boolean[] {
  const flags: boolean[] = [];
  for (let r = 0; r < rounds; r++) {
    flags.push(policy.sharing);
    if (policy.sharing) policy.recordJob(sharedMs, aloneMs);
    policy.endRound();
  }
  return flags;
}

describe('SharingPolicy', () => {
  it('keeps sharing while it is faster than working alone', () => {
    const policy = new SharingPolicy();
    expect(play(policy, 100, 60, 100).every(Boolean)).toBe(true);
  });

  it('tolerates sharing up to 10% slower (measurement noise)', () => {
    expect(play(new SharingPolicy(), 40, 105, 100).every(Boolean)).toBe(true);
  });

  it('works alone for a stretch when sharing loses, doubling the stretch while it keeps losing', () => {
    const policy = new SharingPolicy();
    const flags = play(policy, 200, 200, 100);
    // Runs of sharing (true) and working alone (false): 4 shared, 8 alone, 4 shared, 16 alone, ... up to 64.
    const runs: [boolean, number][] = [];
    for (const flag of flags) {
      const last = runs[runs.length - 1];
      if (last && last[0] === flag) last[1]++;
      else runs.push([flag, 1]);
    }
    expect(runs.slice(0, 9)).toEqual([
      [true, CHECK_ROUNDS],
      [false, FIRST_SOLO_ROUNDS],
      [true, CHECK_ROUNDS],
      [false, 2 * FIRST_SOLO_ROUNDS],
      [true, CHECK_ROUNDS],
      [false, 4 * FIRST_SOLO_ROUNDS],
      [true, CHECK_ROUNDS],
      [false, MAX_SOLO_ROUNDS],
      [true, CHECK_ROUNDS],
    ]);
  });

  it('goes back to sharing when the machine frees up', () => {
    const policy = new SharingPolicy();
    play(policy, CHECK_ROUNDS, 200, 100);
    expect(policy.sharing).toBe(false);
    play(policy, FIRST_SOLO_ROUNDS, 200, 100);
    expect(play(policy, 50, 60, 100).every(Boolean)).toBe(true);
  });
});
