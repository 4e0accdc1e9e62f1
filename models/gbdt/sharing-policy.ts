/** Rounds of training between two checks whether sharing work with the workers pays off. */
export const CHECK_ROUNDS = 4;
/** Rounds without workers after sharing first lost; the stretch doubles, up to the maximum, while sharing keeps losing. */
export const FIRST_SOLO_ROUNDS = 8;
export const MAX_SOLO_ROUNDS = 64;

/**
 * Decides, round by round, whether training jobs are shared with the worker threads. On a machine whose cores are
 * busy with other work, a worker descheduled while it holds a unit makes the main thread wait, and sharing can end
 * up slower than working alone. So every {@link CHECK_ROUNDS} rounds the time the shared jobs took is compared with
 * what they would have taken on the main thread alone; when sharing lost by more than 10%, jobs stay on the main
 * thread for a stretch of rounds, then sharing is tried again. Only speed depends on it, never the model.
 */
export class SharingPolicy {
  private solo = false;
  private soloRounds = FIRST_SOLO_ROUNDS;
  private lostLastCheck = false;
  private rounds = 0;
  private sharedMs = 0;
  private aloneMs = 0;

  /** Whether the next jobs go to the workers too. */
  get sharing(): boolean {
    return !this.solo;
  }

  /** A shared job took `sharedMs`; the main thread alone would have needed about `aloneMs`. */
  recordJob(sharedMs: number, aloneMs: number): void {
    this.sharedMs += sharedMs;
    this.aloneMs += aloneMs;
  }

  /** Called after every round. */
  endRound(): void {
    this.rounds++;
    if (this.solo) {
      if (this.rounds < this.soloRounds) return;
      this.solo = false;
    } else {
      if (this.rounds < CHECK_ROUNDS) return;
      const lost = this.sharedMs > 1.1 * this.aloneMs;
      if (lost) {
        this.solo = true;
        this.soloRounds = this.lostLastCheck ? Math.min(MAX_SOLO_ROUNDS, 2 * this.soloRounds) : FIRST_SOLO_ROUNDS;
      }
      this.lostLastCheck = lost;
    }
    this.rounds = 0;
    this.sharedMs = 0;
    this.aloneMs = 0;
  }
}
