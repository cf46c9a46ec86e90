import type { HookStage } from '../../lambdas/shared/settings/hooks';
import type { HookBehaviour, HookFunctionDescription } from '../account/user-functions';
import type { Scenario } from './catalog';
import type { Outcome } from './options';

/**
 * Lifecycle hooks (docs/hooks.md): the teams' functions, declared in the simulated account with a behaviour,
 * run by the synthesized state machine at their stages.
 */

/** The ARN of a hook function of the simulated account. */
export const hookFunctionArn = (name: string): string =>
  `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

interface HookSpec {
  readonly stage: HookStage;
  readonly name: string;
  readonly behaviour: HookBehaviour;
  readonly callback?: boolean;
  readonly timeoutSeconds?: number;
}

/** One hook at every stage, each passing; the test-traffic one answers through its task token. */
export const PASSING_HOOKS: readonly HookSpec[] = [
  { stage: 'new-fleet-in-service', name: 'warm-caches', behaviour: { kind: 'pass' } },
  {
    stage: 'test-traffic',
    name: 'contract-tests',
    behaviour: { kind: 'answer-later', afterSeconds: 45, result: 'pass' },
    callback: true,
  },
  { stage: 'before-shift', name: 'change-window', behaviour: { kind: 'pass' } },
  { stage: 'after-shift', name: 'announce-shift', behaviour: { kind: 'pass' } },
  { stage: 'after-finish', name: 'update-inventory', behaviour: { kind: 'pass' } },
];

function hookScenario(
  name: string,
  description: string,
  hooks: readonly HookSpec[],
  expectedOutcome: Outcome,
): Scenario {
  const functions: HookFunctionDescription[] = hooks.map((hook) => ({
    arn: hookFunctionArn(hook.name),
    behaviour: hook.behaviour,
  }));
  return {
    name,
    description,
    environment: { hookFunctions: functions },
    deployment: () => ({
      hooks: hooks.map((hook) => ({
        stage: hook.stage,
        functionArn: hookFunctionArn(hook.name),
        ...(hook.callback ? { callback: true } : {}),
        ...(hook.timeoutSeconds === undefined ? {} : { timeoutSeconds: hook.timeoutSeconds }),
      })),
    }),
    runs: [
      {
        input: { amiId: '{next}' },
        expectedOutcome,
        ...(expectedOutcome === 'rolled-back' ? { rolledBackByHook: true } : {}),
      },
    ],
  };
}

const replacing = (stage: HookStage, spec: Omit<HookSpec, 'stage'>): readonly HookSpec[] =>
  PASSING_HOOKS.map((hook) => (hook.stage === stage ? { stage, ...spec } : hook));

export const HOOK_SCENARIOS: readonly Scenario[] = [
  hookScenario(
    'hook-pass',
    'A hook at every stage passes (the test-traffic one answers through its task token 45 s later): deployed, each hook given the documented event.',
    PASSING_HOOKS,
    'succeeded',
  ),
  hookScenario(
    'hook-fail-before-shift',
    'The before-shift hook answers {"result": "fail"}: aborted, production untouched.',
    replacing('before-shift', {
      name: 'change-window',
      behaviour: { kind: 'fail', reason: 'a change freeze is on until 18:00' },
    }),
    'aborted',
  ),
  hookScenario(
    'hook-fail-after-shift',
    'The after-shift hook throws: rolled back, the old fleet healthy before the new group leaves.',
    replacing('after-shift', {
      name: 'announce-shift',
      behaviour: {
        kind: 'throw',
        errorType: 'TypeError',
        message: "Cannot read properties of undefined (reading 'url')",
      },
    }),
    'rolled-back',
  ),
  hookScenario(
    'hook-timeout',
    'A callback hook before the shift never answers: aborted after its 120 s timeout, production untouched.',
    replacing('before-shift', {
      name: 'change-window',
      behaviour: { kind: 'never-answer' },
      callback: true,
      timeoutSeconds: 120,
    }),
    'aborted',
  ),
  hookScenario(
    'hook-fail-after-finish',
    'The after-finish hook fails once the old fleet is gone: the deployment stands, reported as succeeded with the failed hook named.',
    replacing('after-finish', {
      name: 'update-inventory',
      behaviour: { kind: 'fail', reason: 'the inventory service answered 503' },
    }),
    'succeeded',
  ),
];
