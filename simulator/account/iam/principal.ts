import { AsyncLocalStorage } from 'node:async_hooks';
import type { PolicyDocument } from './policy-evaluation';

/** Who is calling: a step's Lambda function, with the identity policies of its execution role. */
export interface Principal {
  /** The step (function) the calls come from, for messages and reports. */
  readonly name: string;
  /** `arn:aws:sts::ACCOUNT:assumed-role/ROLE/FUNCTION`, as AWS names a Lambda function's caller. */
  readonly sessionArn: string;
  readonly policies: readonly PolicyDocument[];
}

const caller = new AsyncLocalStorage<Principal>();

/**
 * Runs `work` as `principal`: every AWS call it makes, however deep in its promise chain, is authorized
 * against the principal's policies. Calls made outside (test set-up, operators) act as the account owner.
 */
export function actingAs<T>(principal: Principal, work: () => T): T {
  return caller.run(principal, work);
}

export function currentPrincipal(): Principal | undefined {
  return caller.getStore();
}
