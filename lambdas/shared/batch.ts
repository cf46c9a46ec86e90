/** Splits `items` into chunks of at most `size` (AWS per-call limits, e.g. 20 instances for EnterStandby). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    chunks.push(items.slice(start, start + size));
  }
  return chunks;
}
