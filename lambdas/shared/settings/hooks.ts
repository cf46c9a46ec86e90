import * as z from 'zod/mini';
import { RETRY_POLICY } from '../retry-policy';

/**
 * Lifecycle hooks (docs/hooks.md): the teams' own Lambda functions, run by the state machine at documented
 * stages of a deployment, each passing or failing it. Apart from the whole configuration's schema
 * (./index.ts), so the one step that judges a hook's answer reads the stages without it.
 */

/** The stages, in the order a deployment reaches them. */
export const HOOK_STAGES = [
  'new-fleet-in-service',
  'test-traffic',
  'before-shift',
  'after-shift',
  'after-finish',
] as const;
export type HookStage = (typeof HOOK_STAGES)[number];

/** How a stage reads in a state's name: "Run hook: <label> (<function>)". */
export const HOOK_STAGE_LABELS: Readonly<Record<HookStage, string>> = {
  'new-fleet-in-service': 'new fleet in service',
  'test-traffic': 'test traffic',
  'before-shift': 'before production shift',
  'after-shift': 'after production shift',
  'after-finish': 'after finish',
};

/**
 * A function answering synchronously runs within Lambda's own limit, 15 minutes
 * (docs/aws-facts/lambda-runtime.md): a longer Task timeout would never be reached.
 */
export const MAX_DIRECT_HOOK_SECONDS = 900;
/**
 * A callback hook may wait up to a day. Step Functions allows a Task a year (docs/aws-facts/step-functions.md#callbacks),
 * but the new fleet runs beside the old one meanwhile and every other wait of a deployment is bounded in
 * minutes: a longer answer is a release process, not a check.
 */
export const MAX_CALLBACK_HOOK_SECONDS = 86_400;
export const DEFAULT_HOOK_SECONDS = { direct: 300, callback: 600 } as const;

/**
 * A Lambda function ARN, unqualified or with a version or alias (`arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`):
 * the names and qualifiers Lambda allows (API_Invoke, FunctionName).
 */
const FUNCTION_ARN =
  /^arn:aws[a-z-]*:lambda:[a-z]{2}(-gov)?-[a-z]+-\d:\d{12}:function:[A-Za-z0-9-_]{1,64}(:(\$LATEST|[A-Za-z0-9-_]{1,128}))?$/;

export const hookSchema = z
  .strictObject({
    stage: z.enum(HOOK_STAGES, { error: `must be one of ${HOOK_STAGES.join(', ')}` }),
    functionArn: z
      .string()
      .check(
        z.regex(
          FUNCTION_ARN,
          'must be a Lambda function ARN like "arn:aws:lambda:us-east-1:123456789012:function:my-check" (optionally ending in :ALIAS or :VERSION), not a name',
        ),
      ),
    /** The function answers later, with SendTaskSuccess or SendTaskFailure and the event's `taskToken`. */
    callback: z._default(z.boolean(), false),
    /** How long the hook may take; [300] for a direct hook, [600] for a callback hook. */
    timeoutSeconds: z.optional(
      z
        .int()
        .check(
          z.minimum(1),
          z.maximum(
            MAX_CALLBACK_HOOK_SECONDS,
            `must be at most ${MAX_CALLBACK_HOOK_SECONDS} (a day) for a callback hook, ${MAX_DIRECT_HOOK_SECONDS} for a direct one`,
          ),
        ),
    ),
  })
  .check(
    z.superRefine((hook, ctx) => {
      const limit = hook.callback ? MAX_CALLBACK_HOOK_SECONDS : MAX_DIRECT_HOOK_SECONDS;
      if (hook.timeoutSeconds === undefined || hook.timeoutSeconds <= limit) return;
      ctx.addIssue({
        code: 'custom',
        path: ['timeoutSeconds'],
        message: hook.callback
          ? `must be at most ${MAX_CALLBACK_HOOK_SECONDS} (a day) for a callback hook: split a longer process, or answer when it is under way`
          : `must be at most ${MAX_DIRECT_HOOK_SECONDS}: a function answers within Lambda's 15-minute limit; set "callback": true for a hook that answers later`,
      });
    }),
  );
export type Hook = z.infer<typeof hookSchema>;

export const hooksSchema = z.array(hookSchema).check(
  z.maxLength(20, 'at most 20 hooks'),
  z.superRefine((hooks, ctx) => {
    const seen = new Set<string>();
    hooks.forEach((hook, index) => {
      const key = `${hook.stage} ${hook.functionArn}`;
      if (seen.has(key)) {
        ctx.addIssue({
          code: 'custom',
          path: [index, 'functionArn'],
          message: `runs at ${hook.stage} twice: list each function once per stage`,
        });
      }
      seen.add(key);
    });
  }),
);

/** The Task timeout of a hook: its own, else the default of its kind. */
export function hookTimeoutSeconds(hook: Pick<Hook, 'callback' | 'timeoutSeconds'>): number {
  return hook.timeoutSeconds ?? DEFAULT_HOOK_SECONDS[hook.callback ? 'callback' : 'direct'];
}

/** The function's name (with its qualifier, if any), as its ARN gives it. */
export function hookFunctionName(functionArn: string): string {
  return functionArn.split(':').slice(6).join(':');
}

/** The Region of a function ARN; undefined for anything else (a token). */
export function hookRegion(functionArn: string): string | undefined {
  return FUNCTION_ARN.test(functionArn) ? functionArn.split(':')[3] : undefined;
}

/**
 * Hooks whose function is outside the Region the application runs in: refused, one problem each, so that a
 * deployment never depends on another Region's availability (docs/hooks.md#configuration).
 */
export function hooksElsewhere(
  hooks: readonly Pick<Hook, 'functionArn'>[],
  region: string | undefined,
  source: string,
): { field: string; problem: string }[] {
  if (region === undefined) return [];
  return hooks.flatMap((hook, index) => {
    const where = hookRegion(hook.functionArn);
    if (where === undefined || where === region) return [];
    return [
      {
        field: `hooks.${index}.functionArn`,
        problem: `is in ${where}, but the application is in ${region} (${source}): deploy the hook's function in ${region}`,
      },
    ];
  });
}

/** History events of one hook without retries: its Task (entered, scheduled, started, succeeded, exited, and
 * a callback's submitted) and its judge's Lambda Task (5). */
const EVENTS_PER_HOOK = 11;
/** A stage with hooks adds a Choice and a Pass (entered and exited each); after-finish its Parallel too. */
const EVENTS_PER_STAGE = 6;
/**
 * Retries each hook may add: its Task's and its judge's transient retriers, spent; each retry writes 3
 * events (HISTORY_EVENTS_PER_RETRY of ./index.ts).
 */
const RETRY_EVENTS_PER_HOOK = 2 * RETRY_POLICY.transient.maxAttempts * 3;

/**
 * What the hooks add to the longest path's execution history (every hook runs on it: all pass, or the last
 * one fails), counted as the settings' history budget counts the rest.
 */
export function hookHistoryEvents(hooks: readonly Pick<Hook, 'stage'>[]): {
  events: number;
  retries: number;
} {
  const stages = new Set(hooks.map((hook) => hook.stage)).size;
  return {
    events: hooks.length * EVENTS_PER_HOOK + stages * EVENTS_PER_STAGE,
    retries: hooks.length * RETRY_EVENTS_PER_HOOK,
  };
}
