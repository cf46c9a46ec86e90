/** Typed glue between SDK command classes and the simulated services' handlers. */
import type { AwsCommand } from 'aws-sdk-client-mock';

export type Answer<O> = Omit<O, '$metadata'>;

export interface Route {
  readonly command: abstract new (...args: never[]) => unknown;
  /** The API operation name, e.g. `EnterStandby`. */
  readonly operation: string;
  readonly handle: (input: unknown) => object;
}

export function route<I extends object, O extends { $metadata: unknown }>(
  command: new (input: I) => AwsCommand<I, O>,
  handle: (input: I) => NoInfer<Answer<O>>,
): Route {
  return {
    command,
    operation: command.name.replace(/Command$/, ''),
    handle: (input) => handle((input ?? {}) as I),
  };
}
