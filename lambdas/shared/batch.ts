/** AWS per-call limits: lists split into calls of a bounded size, and listings read page by page. */

/** Splits `items` into chunks of at most `size` (AWS per-call limits, e.g. 20 instances for EnterStandby). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    chunks.push(items.slice(start, start + size));
  }
  return chunks;
}

/** Sends `items` in calls of at most `size`, one after the other (so a failure leaves the rest unsent). */
export async function inBatches<T>(
  items: readonly T[],
  size: number,
  send: (batch: T[]) => Promise<unknown>,
): Promise<void> {
  for (const batch of chunk(items, size)) await send(batch);
}

/** One page of a listing: its items and the token of the next page (none on the last). */
export interface Page<T> {
  items?: T[];
  next?: string;
}

/** Every item of a listing, following its next-page token (NextToken, nextToken or Marker). */
export async function allPages<T>(page: (token: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const result = await page(token);
    items.push(...(result.items ?? []));
    token = result.next;
  } while (token);
  return items;
}
