/**
 * Opaque pagination tokens. Like AWS's, a token is only valid for the operation that issued it; anything
 * else is rejected with the caller's own invalid-token error.
 */

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export function paginate<T>(
  items: readonly T[],
  token: string | undefined,
  pageSize: number,
  scope: string,
  invalidToken: () => Error,
): Page<T> {
  let offset = 0;
  if (token !== undefined && token !== '') {
    const decoded = Buffer.from(token, 'base64url').toString('utf8');
    const match = /^(.+):(\d+)$/.exec(decoded);
    if (!match || match[1] !== scope || Number(match[2]) > items.length) throw invalidToken();
    offset = Number(match[2]);
  }
  const end = offset + pageSize;
  return {
    items: items.slice(offset, end),
    nextToken: end < items.length ? Buffer.from(`${scope}:${end}`, 'utf8').toString('base64url') : undefined,
  };
}

/** Whether `value` matches an AWS filter pattern (`*` and `?` wildcards). */
export function matchesWildcard(pattern: string, value: string): boolean {
  return wildcardPattern(pattern).test(value);
}

/** `*` and `?` wildcards as a whole-value pattern; `flags` e.g. `i` where AWS matches case-insensitively. */
export function wildcardPattern(pattern: string, flags = ''): RegExp {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, flags);
}
