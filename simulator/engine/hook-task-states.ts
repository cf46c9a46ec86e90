/**
 * Which Task states of a definition invoke a lifecycle hook's function (state-machine/phases/hooks.ts), read
 * at synthesis: apart from what runs them (hook-tasks.ts), which the synthesized workflow's cache need not
 * depend on.
 */
import type { AslDefinition } from './resolve-definition';

export interface HookTask {
  readonly callback: boolean;
  readonly timeoutSeconds: number;
}

const INVOKE = /^arn:aws[a-z-]*:states:::lambda:invoke(\.waitForTaskToken)?$/;

/** The definition's hook Tasks by state name, Parallel branches included. */
export function hookTasksOf(asl: Pick<AslDefinition, 'States'>): Record<string, HookTask> {
  const found: Record<string, HookTask> = {};
  for (const [name, raw] of Object.entries(asl.States)) {
    const state = raw as {
      Resource?: string;
      TimeoutSeconds?: number;
      Branches?: { States: Record<string, unknown> }[];
    };
    const match = INVOKE.exec(state.Resource ?? '');
    if (match) {
      // The engine's own default is 60 s; AWS's is none. Every hook Task sets its timeout.
      found[name] = { callback: match[1] !== undefined, timeoutSeconds: state.TimeoutSeconds ?? 99_999_999 };
    }
    for (const branch of state.Branches ?? []) Object.assign(found, hookTasksOf(branch));
  }
  return found;
}

export function isHookTask(resource: string | undefined): boolean {
  return INVOKE.test(resource ?? '');
}
