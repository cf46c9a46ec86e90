import { causeMessage } from '../shared/contract';
import { HookFailedError, HookTimedOutError } from '../shared/errors';
import { defineHandler } from '../shared/handler';
import { HOOK_STAGE_LABELS } from '../shared/settings/hooks';
import { InputSchema, type Input } from './input';

/**
 * Judges a lifecycle hook's answer (docs/hooks.md#the-answer): `{"result": "pass"}` passes; anything else
 * fails it with a HookFailedError (HookTimedOutError past its timeout) that says why in plain words, which
 * the phase routes to the abort or the rollback. Reads nothing, changes nothing: running it twice is the same.
 */

export interface HookPassed {
  stage: Input['stage'];
  functionName: string;
  result: 'pass';
}

/** How much of an unexpected answer a message quotes. */
const QUOTED_CHARACTERS = 200;

async function run(input: Input): Promise<HookPassed> {
  const hook = `Hook ${input.functionName} (${HOOK_STAGE_LABELS[input.stage]})`;
  const { outcome } = input;
  if ('Error' in outcome) {
    if (outcome.Error === 'States.Timeout') {
      throw new HookTimedOutError(
        `${hook} did not answer within ${input.timeoutSeconds} s` +
          (input.callback
            ? ': a callback hook answers with SendTaskSuccess or SendTaskFailure and the taskToken of its event'
            : ''),
      );
    }
    const cause = causeMessage(outcome.Cause);
    throw new HookFailedError(`${hook} failed: ${outcome.Error}${cause ? `: ${cause}` : ''}`);
  }
  const answer = outcome.answer;
  if (isObject(answer) && answer.result === 'pass') {
    return { stage: input.stage, functionName: input.functionName, result: 'pass' };
  }
  if (isObject(answer) && answer.result === 'fail') {
    const reason =
      typeof answer.reason === 'string' && answer.reason.trim() !== '' ? answer.reason : undefined;
    throw new HookFailedError(`${hook} failed: ${reason ?? 'it gave no reason'}`);
  }
  throw new HookFailedError(
    `${hook} answered ${quote(answer)}, which is neither {"result": "pass"} nor {"result": "fail", "reason": "…"}`,
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function quote(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > QUOTED_CHARACTERS ? `${text.slice(0, QUOTED_CHARACTERS)}…` : text;
}

export const handler = defineHandler('check-hook-answer', InputSchema, run);
