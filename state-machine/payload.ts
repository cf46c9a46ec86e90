/**
 * A Task's payload, typed by the input schema of the handler it invokes: each field is a value of the
 * schema's input type or a reference into the state, which becomes the ASL's `field.$` key. A missing,
 * misspelled or mistyped field fails to compile instead of failing the step at run time.
 */

import type { ValueAt } from './deployment-state';

/** A path into the state input (`$.…`) or the context object (`$$.…`), typed by the value it reads. */
export class JsonPathRef<T = unknown> {
  /** Never set: carries the type of the value the path reads (state-machine/deployment-state.ts). */
  declare readonly value?: T;
  constructor(readonly path: string) {}
}

/** A reference to what `path` holds in the state; a path that names nothing there fails to compile. */
export function ref<Path extends string>(
  path: Path & ([ValueAt<Path>] extends [never] ? `no such path in DeploymentState: ${Path}` : Path),
): JsonPathRef<ValueAt<Path>> {
  return new JsonPathRef(path);
}

// Arrays are taken as they are: ASL resolves `.$` keys in objects only, never in an array's elements.
export type PayloadField<T> =
  JsonPathRef<T> | (T extends readonly unknown[] ? T : T extends object ? Payload<T> : T);

export type Payload<T> = { [K in keyof T]: PayloadField<T[K]> };

/** The payload as ASL writes it: a reference `field: ref(p)` becomes `'field.$': p`, at any depth. */
export function toAslPayload(payload: object): Record<string, unknown> {
  const asl: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (value instanceof JsonPathRef) asl[`${key}.$`] = value.path;
    else if (isPlainObject(value)) asl[key] = toAslPayload(value);
    else asl[key] = value;
  }
  return asl;
}

function isPlainObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}
