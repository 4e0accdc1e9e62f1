/**
 * How usual an hour of day is for a user, from their histogram of past login hours: the circularly smoothed share of
 * logins at `hour` (half weight on the hour, a quarter on each neighbour) with add-`alpha` smoothing, relative to a
 * uniform spread (1 = as usual as any hour of a uniform user; 0 = never; up to 24). NaN when there is no history.
 */
export function hourUsualness(hours: readonly number[], hour: number, alpha = 0.5): number {
  let total = 0;
  for (const c of hours) total += c;
  if (total === 0) return Number.NaN;
  const at = (h: number) => hours[(h + 24) % 24] as number;
  const smoothed = 0.5 * at(hour) + 0.25 * at(hour - 1) + 0.25 * at(hour + 1);
  return ((smoothed + alpha) / (total + 24 * alpha)) * 24;
}
