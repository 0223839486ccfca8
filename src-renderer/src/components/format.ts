/** Small formatting helpers shared by components. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function formatPercent(fraction: number | null): string {
  return fraction === null ? '' : `${Math.floor(fraction * 100)}%`;
}

export function formatRate(rate: number | undefined, unit = '/s'): string {
  if (rate === undefined || !Number.isFinite(rate)) return '';
  return `${rate >= 100 ? Math.round(rate) : rate.toFixed(1)}${unit}`;
}
