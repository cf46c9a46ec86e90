import type { ConfiguredProps } from '../../infra/props';
import type { FaultOptions, SimulatedAccount } from '../account/account';
import {
  ENCRYPTED_TOPIC,
  type DefaultEnvironmentOptions,
  type ImageBuilderImageDescription,
} from '../account/environment';
import {
  KEY_STATES,
  OPERATOR_REQUEST_TAG,
  SUSPENDED_BY_DEPLOYMENT_TAG,
  type KeepRequest,
  type OperatorRequest,
} from '../../lambdas/shared/contract';
import type { TrafficProfile } from '../traffic/profiles';
import { AMI_EVENT_SCENARIOS } from './ami-events';
import { APPROVAL_SCENARIOS } from './approval';
import { HOOK_SCENARIOS } from './hooks';
import { CAPACITY_SCENARIOS, PRODUCTION_GROUP_SCENARIOS } from './production-groups';
import { GRADUAL_SHIFT_SCENARIOS } from './gradual-shift';
import { ABORT_SCENARIOS } from './operator-requests';
import type { Outcome } from './options';
import { UNDO_SCENARIOS } from './undo';

/** An execution input: any JSON value, as StartExecution takes it. */
export type RunInput =
  string | number | boolean | null | readonly RunInput[] | { readonly [key: string]: RunInput };

/**
 * What the account owner does at a run's start in place of starting an execution: EC2 or Image Builder
 * sends its event to the default bus, and the run's executions are those the synthesized EventBridge rules
 * start for it. AMIs are named as in a run's input (`{next}`, `{foreign}`, …).
 */
export type AccountTrigger =
  /**
   * A release pipeline publishes a new build: the AMI, `pending` until then (environmentFor makes it so),
   * becomes available; its tags come `tagsAfterSeconds` later when given (Packer tags an available AMI).
   */
  | { readonly publish: string; readonly tagsAfterSeconds?: number }
  /** CopyImage of an available AMI in its Region, tags included (CopyImageTags): the copy is a new AMI id. */
  | { readonly copyImage: string }
  /** EnableImage of an AMI that is `disabled` until then (environmentFor makes it so). */
  | { readonly enableImage: string }
  /**
   * An EC2 Image Builder image of the environment (`imageBuilderImages`, without `availableAfterSeconds`)
   * completes: its output AMI, pending until then, becomes available, and the image AVAILABLE
   * `testingSeconds` later (default 0).
   */
  | { readonly imageBuilderImage: string; readonly testingSeconds?: number };

/** How a run starts: with an execution input, or by an action of the account owner that a rule picks up. */
export type RunStart =
  | {
      /**
       * The execution input; the string `{next}` stands for the new AMI, `{third}` and `{fourth}` for later
       * ones, `{current}` for the one that serves.
       */
      readonly input: RunInput;
      readonly trigger?: never;
    }
  | {
      readonly trigger: AccountTrigger;
      readonly input?: never;
      /**
       * The outcomes of the executions the action starts after the first (whose outcome is
       * `expectedOutcome`), in order: e.g. when two rules match its events. Each must start.
       */
      readonly moreOutcomes?: readonly Outcome[];
    };

export type DeploymentRun = RunStart & {
  readonly expectedOutcome: Outcome;
  /** Start together with the previous run instead of after it ended. */
  readonly concurrentWithPrevious?: boolean;
  /**
   * With `concurrentWithPrevious`: start only once the batch's first execution has entered this state, this
   * many seconds later (a release published while a deployment runs).
   */
  readonly startsWhen?: { readonly state: string; readonly afterSeconds: number };
  /** The run must end stopped in this state (not failed some other way). */
  readonly expectStoppedAt?: string;
  /**
   * An operator asks something of this run (`blue-green:operator-request=<request>` on `group`, as the
   * account owner; `rollback`, to stop it, unless said) one virtual second after it enters `state`, e.g. a
   * wait's `: pause` state.
   */
  readonly operatorRequest?: {
    readonly state: string;
    readonly group: string;
    /** `undo` or `release` while a fleet is kept (docs/design.md#keeping-fleets). */
    readonly request?: OperatorRequest | KeepRequest;
  };
  /**
   * What the account owner does while this run goes on, each once, as its first execution enters `state`
   * (`afterSeconds` later, default 0): e.g. scale production from 3 to 6 while the new version is prepared.
   * `act` calls the account's API as the owner (its calls are left out of the report's `apiCalls`).
   */
  readonly ownerActions?: readonly OwnerAction[];
  /**
   * Runs before this run starts, once the previous one has ended and settled: e.g. a test running the
   * recovery commands a refusal printed. Users keep coming and I1 is watched meanwhile.
   */
  readonly before?: (between: BetweenRuns) => Promise<void>;
  /**
   * The run rolls back for a reason the new version's behaviour does not decide (a lifecycle hook that fails
   * after the shift): its outcome is `expectedOutcome`, not the alarms' judgement.
   */
  readonly rolledBackByHook?: boolean;
};

/** One action of the account owner during a run (DeploymentRun.ownerActions). */
export interface OwnerAction {
  readonly state: string;
  readonly afterSeconds?: number;
  readonly act: (account: SimulatedAccount) => Promise<void> | void;
}

/** What a run's `before` gets: the account between two deployments. */
export interface BetweenRuns {
  /** The simulated account, serving the SDK v3 clients: calls made here act as the account owner. */
  readonly account: SimulatedAccount;
  /** How each earlier execution ended: a refusal's message carries its recovery commands. */
  readonly previous: readonly { readonly outcome: Outcome; readonly message: string }[];
  /** Lets this many virtual seconds pass: users keep coming, the account moves on, I1 is watched. */
  advance(seconds: number): Promise<void>;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly environment?: DefaultEnvironmentOptions;
  readonly runs: readonly DeploymentRun[];
  /** User traffic over the simulation (default 10 requests a second; `--traffic`, `--rps` replace it). */
  readonly traffic?: TrafficProfile;
  readonly faults?: FaultOptions;
  /** Every Lambda runs twice with the same input (I6, docs/design.md#invariants). */
  readonly duplicateInvocations?: boolean;
  /** Stop each execution when it enters this state, as an operator's StopExecution would. */
  readonly stopAt?: string;
  /**
   * EC2 Image Builder images in the account, for a run's `imageBuilderImage` trigger; `amiId` may name an
   * AMI as a run's input does (`{next}`).
   */
  readonly imageBuilderImages?: readonly ImageBuilderImageDescription[];
  /** Changes to the orchestrator's configuration (e.g. a role left out of `instanceRoleArns`). */
  /**
   * Why the account may end unsettled (settled.ts): a scenario that turns the recovery off on purpose.
   * The fault sweep requires every other run to end settled.
   */
  readonly leavesUnsettled?: string;
  readonly deployment?: (configured: ConfiguredProps) => Partial<ConfiguredProps>;
}

const deployNext = (expectedOutcome: Outcome = 'succeeded'): DeploymentRun => ({
  input: { amiId: '{next}' },
  expectedOutcome,
});

/** The named scenarios of `npm run simulate -- --scenario NAME`, each a test in test/simulator/scenarios. */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'happy',
    description: 'A new AMI replaces 3 healthy instances; users see no error.',
    runs: [deployNext()],
  },
  {
    name: 'bootstrap',
    description: 'First deployment: no group serves yet; the new version becomes the active fleet.',
    environment: { firstDeployment: true },
    runs: [deployNext()],
  },
  {
    name: 'bootstrap-alarm',
    description:
      'A first deployment errs in its window: with no older version to return to it keeps serving, and the run fails loudly.',
    environment: { firstDeployment: true, newVersion: { errorRate: 0.5, errorsFromMinuteAfterShift: 10 } },
    runs: [deployNext('kept-serving')],
  },
  {
    name: 'synthetic-fail',
    description: 'The new version fails its synthetic checks: aborted before users ever reach it.',
    environment: { newVersion: { failSyntheticChecks: true } },
    runs: [deployNext('aborted')],
  },
  {
    name: 'never-healthy',
    description: 'The new version never passes health checks: aborted at the deadline, production untouched.',
    environment: { newVersion: { failHealthChecks: true } },
    runs: [deployNext('aborted')],
  },
  {
    name: 'alarm-rollback',
    description: 'The new version serves errors 30 minutes after the shift; the 5xx alarm rolls it back.',
    environment: { newVersion: { errorRate: 0.5, errorsFromMinuteAfterShift: 30 } },
    runs: [deployNext('rolled-back')],
  },
  {
    name: 'throttled',
    description:
      'AWS throttles 20% of attempts, fails 5% with 5xx, and loses the answer to 5% it applied; retries carry the deployment through.',
    faults: { throttleProbability: 0.2, transientErrorProbability: 0.05, lostResponseProbability: 0.05 },
    runs: [deployNext()],
  },
  {
    name: 'duplicate-lambdas',
    description:
      'Every step runs twice with the same input, as Step Functions may do; the result is the same.',
    duplicateInvocations: true,
    runs: [deployNext()],
  },
  {
    name: 'large-fleet',
    description: '500 instances: batched Standby calls, paginated describes, constant-size state.',
    environment: { instances: 500 },
    runs: [deployNext()],
  },
  ...AMI_EVENT_SCENARIOS,
  {
    name: 'redeploy-old-release',
    description:
      'A pipeline deploys an older release on purpose: only AMI events are held to newer releases.',
    runs: [{ input: { amiId: '{old}' }, expectedOutcome: 'succeeded' }],
  },
  {
    name: 'already-serving',
    description:
      'A deployment of the AMI that already serves, healthy: nothing to do, and nothing is changed.',
    runs: [{ input: { amiId: '{current}' }, expectedOutcome: 'already-serving' }],
  },
  {
    name: 'bad-input',
    description: 'A malformed AMI id: rejected with the field named, the account unchanged.',
    runs: [{ input: { amiId: 'ami-123' }, expectedOutcome: 'rejected' }],
  },
  {
    name: 'not-an-object',
    description:
      'The input is a JSON array, not an object: rejected by the validation step with the fix, the account unchanged.',
    runs: [{ input: ['{next}'], expectedOutcome: 'rejected' }],
  },
  {
    name: 'concurrent',
    description:
      'Two executions start together with whileDeploying "reject": exactly one deploys, the other is refused.',
    deployment: () => ({ whileDeploying: 'reject' }),
    runs: [
      deployNext(),
      { input: { amiId: '{next}' }, expectedOutcome: 'rejected', concurrentWithPrevious: true },
    ],
  },
  {
    name: 'stopped-then-redeploy',
    description:
      'With recoverStoppedDeployments off, an operator stops a deployment in its rollback window: users stay served; the next deployment is refused with the commands that clean up.',
    stopAt: KEY_STATES.window,
    deployment: () => ({ recoverStoppedDeployments: false }),
    leavesUnsettled: 'recoverStoppedDeployments is off: the next deployment refuses the half-way account',
    runs: [
      { ...deployNext('failed'), expectStoppedAt: KEY_STATES.window },
      { input: { amiId: '{third}' }, expectedOutcome: 'rejected' },
    ],
  },
  {
    name: 'stopped-then-recovered',
    description:
      'An operator stops a deployment in its rollback window: its status change starts a recovery, which rolls it back (users stay served); a release that arrives meanwhile waits for the recovery, then deploys.',
    stopAt: KEY_STATES.window,
    runs: [
      { ...deployNext('failed'), expectStoppedAt: KEY_STATES.window },
      { input: { amiId: '{third}' }, expectedOutcome: 'succeeded' },
    ],
  },
  {
    name: 'leftover-suspended-processes',
    description:
      'An interrupted deployment left processes suspended on the standby group, recorded as its own: the launch resumes them and deploys.',
    environment: {
      standbySuspendedProcesses: ['AZRebalance', 'AlarmNotification', 'ScheduledActions'],
      standbyTags: { [SUSPENDED_BY_DEPLOYMENT_TAG]: 'AZRebalance,AlarmNotification,ScheduledActions' },
    },
    runs: [deployNext()],
  },
  {
    name: 'team-suspended-processes',
    description:
      'The team suspended AZRebalance on production on purpose: the deployment suspends and resumes only its own processes, so AZRebalance is still suspended on the old group and the new one inherits nothing.',
    environment: { activeSuspendedProcesses: ['AZRebalance'] },
    runs: [deployNext()],
  },
  {
    name: 'stale-operator-request',
    description:
      'A rollback request an operator tagged on the standby group during an earlier deployment is cleared before the new version launches.',
    environment: { standbyTags: { [OPERATOR_REQUEST_TAG]: 'rollback' } },
    runs: [deployNext()],
  },
  ...ABORT_SCENARIOS,
  ...APPROVAL_SCENARIOS,
  {
    name: 'encrypted-notifications',
    description:
      'Outcomes go to a topic encrypted with a customer managed KMS key: the report step may use the key.',
    environment: { encryptedTopic: true },
    deployment: () => ({ notificationTopic: ENCRYPTED_TOPIC }),
    runs: [deployNext()],
  },
  {
    name: 'missing-alarm',
    description:
      'A watched alarm does not exist (a typo): refused before anything changes, not rolled back after the shift.',
    deployment: ({ monitoring }) => ({
      monitoring: { ...monitoring, alarmNames: ['webapp-target-5xx', 'webapp-target-5xxx'] },
    }),
    runs: [deployNext('rejected')],
  },
  {
    name: 'instance-role-not-granted',
    description:
      "The launch template's instance profile has a role the orchestrator may not pass: refused before anything changes.",
    deployment: () => ({ instanceRoleArns: [] }),
    runs: [deployNext('rejected')],
  },
  {
    name: 'missing-target-group',
    description:
      'The synthetic target group in the configuration does not exist: refused before anything changes.',
    deployment: ({ targetGroups }) => ({
      targetGroups: {
        ...targetGroups,
        synthetic:
          'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/webapp-gone/00000000deadbeef',
      },
    }),
    runs: [deployNext('rejected')],
  },
  {
    name: 'no-header-rule',
    description:
      'No listener rule routes the configured synthetic header to the synthetic target group: refused before anything changes.',
    deployment: ({ syntheticChecks }) => ({
      syntheticChecks: { ...syntheticChecks, header: { name: 'X-Canary', value: 'yes' } },
    }),
    runs: [deployNext('rejected')],
  },
  {
    name: 'launch-suspended',
    description:
      "The active group's Launch process is suspended (it would block the rollback): refused before anything changes.",
    environment: { activeSuspendedProcesses: ['Launch'] },
    runs: [deployNext('rejected')],
  },
  {
    name: 'instance-refresh-running',
    description: 'An instance refresh is under way on the active group: refused before anything changes.',
    environment: { activeInstanceRefresh: true },
    runs: [deployNext('rejected')],
  },
  {
    name: 'second-deployment',
    description: 'Two deployments in a row: roles swap twice and blue is active again.',
    runs: [deployNext(), { input: { amiId: '{third}' }, expectedOutcome: 'succeeded' }],
  },
  ...HOOK_SCENARIOS,
  ...UNDO_SCENARIOS,
  ...PRODUCTION_GROUP_SCENARIOS,
  ...CAPACITY_SCENARIOS,
  ...GRADUAL_SHIFT_SCENARIOS,
];

export function findScenario(name: string): Scenario {
  const scenario = SCENARIOS.find((candidate) => candidate.name === name);
  if (!scenario) {
    throw new Error(`unknown scenario "${name}"; choose one of: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  }
  return scenario;
}
