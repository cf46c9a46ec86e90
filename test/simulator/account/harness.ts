/** A simulated account on a fake clock, with real SDK clients pointed at it. */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import FakeTimers from '@sinonjs/fake-timers';
import {
  SimulatedAccount,
  defaultEnvironment,
  type DefaultEnvironmentOptions,
  type EnvironmentDescription,
  type FaultOptions,
} from '../../../simulator/account';

export interface HarnessOptions extends DefaultEnvironmentOptions {
  seed?: number;
  faults?: FaultOptions;
  /** Adjust the environment before the account is created. */
  customize?: (environment: EnvironmentDescription) => void;
}

const region = 'us-east-1';

export function createHarness(options: HarnessOptions = {}) {
  const clock = FakeTimers.withGlobal(globalThis).install({ now: 0, toFake: ['Date'] });
  const environment = defaultEnvironment(options);
  options.customize?.(environment);
  const account = new SimulatedAccount(environment, { seed: options.seed, faults: options.faults });
  account.install();
  return {
    clock,
    account,
    environment,
    blue: environment.groups.blue.name,
    green: environment.groups.green.name,
    main: environment.mainTargetGroup.arn,
    synthetic: environment.syntheticTargetGroup.arn,
    asg: new AutoScalingClient({ region }),
    ec2: new EC2Client({ region }),
    elb: new ElasticLoadBalancingV2Client({ region }),
    cloudWatch: new CloudWatchClient({ region }),
    sns: new SNSClient({ region }),
    /** Advance the virtual clock second by second, ticking the account (and `each`) every second. */
    run(seconds: number, each?: () => void): void {
      for (let i = 0; i < seconds; i++) {
        clock.tick(1000);
        account.tick();
        each?.();
      }
    },
    dispose(): void {
      account.uninstall();
      clock.uninstall();
    },
  };
}

export type Harness = ReturnType<typeof createHarness>;

/** The error a promise rejected with (fails the test when it resolved). */
export async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { $fault?: string; $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}
