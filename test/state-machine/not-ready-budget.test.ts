/**
 * The NotReady retrier used to be synthesized with `JitterStrategy: FULL`, which makes each retry's delay "a
 * random number between 0 and the computed backoff"
 * (https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_stepfunctions.JitterType.html): its 120
 * attempts lasted about 3,500 s on average, under the hour (the longest deregistration delay ALB allows) they
 * are for, and the steps that wait by throwing NotReadyError gave up early (found in review).
 */
import { allStates } from '../support/asl-states';
import { resolveDefinition, type CfnTemplate } from '../../simulator/engine/resolve-definition';
import { synthExample } from '../support/synth';

const { template } = synthExample();
const states = allStates(
  resolveDefinition(template.toJSON() as CfnTemplate, { region: 'us-east-1', accountId: '123456789012' }),
);

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds: number;
  MaxAttempts: number;
  BackoffRate: number;
  MaxDelaySeconds: number;
  JitterStrategy?: string;
}

/** The computed backoff of each retry, as Step Functions computes it before jitter. */
function backoffs(retrier: Retrier): number[] {
  return Array.from({ length: retrier.MaxAttempts }, (_, attempt) =>
    Math.min(retrier.IntervalSeconds * retrier.BackoffRate ** attempt, retrier.MaxDelaySeconds),
  );
}

/** A small seeded generator, so that the estimate is the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const LONGEST_DEREGISTRATION_DELAY_SECONDS = 3_600;

describe.each(['Put old fleet in standby', 'Put old fleet back in service'])('%s', (name) => {
  const retrier = ((states[name]?.Retry ?? []) as Retrier[]).find((candidate) =>
    candidate.ErrorEquals.includes('NotReadyError'),
  );

  it('waits out the longest deregistration delay, as the retry policy says, under the jitter it is synthesized with', () => {
    expect(retrier).toBeDefined();
    if (!retrier) return;
    const delays = backoffs(retrier);
    const full = retrier.JitterStrategy === 'FULL';
    // Expected total wait: FULL jitter draws each delay uniformly from [0, backoff].
    const expected = delays.reduce((sum, delay) => sum + (full ? delay / 2 : delay), 0);
    const random = seeded(7);
    let short = 0;
    const runs = 2_000;
    for (let run = 0; run < runs; run++) {
      const total = delays.reduce((sum, delay) => sum + (full ? random() * delay : delay), 0);
      if (total < LONGEST_DEREGISTRATION_DELAY_SECONDS) short += 1;
    }
    expect({ expectedSeconds: Math.round(expected), shareGivingUpBeforeAnHour: short / runs }).toEqual({
      expectedSeconds: expect.any(Number),
      shareGivingUpBeforeAnHour: 0,
    });
    expect(expected).toBeGreaterThan(LONGEST_DEREGISTRATION_DELAY_SECONDS);
  });
});
