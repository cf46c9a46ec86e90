// Over 250 lines: the account owner's side of a simulation (runs' actions, the rules' deliveries credited to runs, what started each execution), which share the delivery bookkeeping.
/**
 * What the account owner does during a simulation: an operator's rollback request, and a run's action (its
 * `trigger`), whose executions are those the synthesized EventBridge rules start: EC2 or Image Builder sends
 * its events to the default bus, the rules start the state machine as their role, and each delivery is
 * credited to the run whose AMI or image the event names. Every delivery is accounted for: one that failed,
 * or one no run's action caused, is reported like an execution that went wrong.
 */
import { AutoScalingClient, CreateOrUpdateTagsCommand } from '@aws-sdk/client-auto-scaling';
import { CopyImageCommand, EC2Client, EnableImageCommand } from '@aws-sdk/client-ec2';
import { OPERATOR_REQUEST_TAG, type KeepRequest, type OperatorRequest } from '../../lambdas/shared/contract';
import type { SimulatedAccount } from '../account/account';
import { COPY_SECONDS } from '../account/ec2-images';
import type { EventRule } from '../account/event-rules';
import { STATUS_CHANGE_SOURCE } from '../account/step-functions-events';
import type { AccountTrigger } from '../scenarios/catalog';
import { amiOf, type PlannedRun } from './plan';
import type { ExecutionRecord, LocalStepFunctions } from './step-functions-service';

/**
 * How long after its events are due a run's action may take to start its executions: the rules act at once,
 * so a few seconds mean none matched.
 */
export const TRIGGER_GRACE_SECONDS = 5;

/**
 * Executions started, one after the other, each by the status change of the one before: past this, a rule
 * restarts the state machine on its own endings (a recovery that itself fails, and so on). AWS would go on
 * starting executions; the simulation stops there, saying why.
 */
export const MAX_STATUS_CHANGE_CHAIN = 10;

/**
 * How an execution came to be: StartExecution with its run's input, or a rule's delivery of an event (an
 * action's AMI event, or another execution's status change: `resources` names that execution).
 */
export type StartedBy =
  | { readonly by: 'run-input' }
  | {
      readonly by: 'rule';
      readonly rule: string;
      readonly event: {
        readonly id: string;
        readonly source: string;
        readonly detailType: string;
        readonly resources: readonly string[];
      };
    };

/** One execution a rule started, or one that should have started and did not (`record` null: `message` why). */
export interface RuleStart {
  /** The run whose action caused it (null: no run's action did: an execution nothing expected). */
  readonly run: PlannedRun | null;
  /** Its place among the executions of its run's action: 0 is the one `expectedOutcome` is for. */
  readonly position: number;
  readonly record: ExecutionRecord | null;
  readonly message?: string;
  /** What started it, or would have (the rule whose delivery failed); null: no rule matched at all. */
  readonly startedBy: StartedBy | null;
}

interface Awaited {
  readonly run: PlannedRun;
  /** AMI ids and Image Builder ARNs the action's events name. */
  readonly resources: readonly string[];
  readonly deadline: number;
  readonly action: string;
  found: number;
}

type OperatorCall = 'ec2:CopyImage' | 'ec2:EnableImage';

export class RuleStarts {
  /** The calls runs' actions made as the account owner (left out of the report's calls: not the orchestrator's). */
  readonly ownerCalls: Partial<Record<OperatorCall, number>> = {};
  private readonly started: ExecutionRecord[] = [];
  private readonly awaited: Awaited[] = [];
  private deliveriesRead = 0;
  /** How many status changes in a row led to an execution (absent: 0, not started by one). */
  private readonly chain = new Map<string, number>();

  constructor(
    private readonly account: SimulatedAccount,
    private readonly service: LocalStepFunctions,
    private readonly stateMachineArn: string,
    private readonly elapsedSeconds: () => number,
  ) {}

  /** Gives the account's default bus these rules; a state machine target starts an execution of the engine. */
  wire(rules: readonly EventRule[]): void {
    this.account.setEventRules(rules, ({ stateMachineArn, input }) => {
      // The errors StartExecution gives (Step Functions API reference); the delivery records them.
      if (stateMachineArn !== this.stateMachineArn)
        throw named('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(input);
      } catch {
        throw named('InvalidExecutionInput', 'Invalid State Machine Execution Input: not valid JSON');
      }
      this.started.push(this.service.start(parsed as Parameters<LocalStepFunctions['start']>[0]));
    });
  }

  /** Takes the bus's rules away: from now on no event starts an execution. */
  unwire(): void {
    this.account.setEventRules([], () => undefined);
  }

  /** Whether a run's action may still start executions. */
  get awaiting(): boolean {
    return this.awaited.some((awaited) => this.elapsedSeconds() <= awaited.deadline);
  }

  /**
   * Does the run's action as the account owner, with no injected fault (the action stands for the world, not
   * for what is under test). Its executions come from `collect`.
   */
  async perform(run: PlannedRun, trigger: AccountTrigger): Promise<void> {
    const faults = this.account.faults;
    this.account.faults = {};
    try {
      const { resources, dueInSeconds, action } = await this.act(trigger);
      const deadline = this.elapsedSeconds() + dueInSeconds + TRIGGER_GRACE_SECONDS;
      this.awaited.push({ run, resources, deadline, action, found: 0 });
    } finally {
      this.account.faults = faults;
    }
  }

  /**
   * What the rules did since the last call, each delivery credited to the run whose action's event it was,
   * then the runs whose time is up with fewer executions than they expect.
   */
  collect(): RuleStart[] {
    const found: RuleStart[] = [];
    const deliveries = this.account.eventDeliveries;
    for (; this.deliveriesRead < deliveries.length; this.deliveriesRead++) {
      const delivery = deliveries[this.deliveriesRead];
      // Each delivery that succeeded made one StartExecution call that succeeded, in the same order.
      const record = delivery.delivered ? (this.started.shift() ?? null) : null;
      const event = this.eventOf(delivery.eventId);
      // Credited by the AMI or image the event names: a status change names an execution, so an execution
      // it starts (a recovery, whatever its input) is one no run expected, reported as such.
      const awaited = this.claimant(event);
      const position = awaited ? awaited.found++ : 0;
      const message = delivery.error
        ? `no execution started: rule ${delivery.rule} could not start the state machine: ${delivery.error.name}: ${delivery.error.message}`
        : undefined;
      const startedBy: StartedBy = {
        by: 'rule',
        rule: delivery.rule,
        event: {
          id: delivery.eventId,
          source: event?.source ?? '',
          detailType: event?.detailType ?? '',
          resources: [...(event?.resources ?? [])],
        },
      };
      if (record && event?.source === STATUS_CHANGE_SOURCE) this.chained(record, event.resources[0]);
      found.push({ run: awaited?.run ?? null, position, record, message, startedBy });
    }
    for (const awaited of [...this.awaited]) {
      if (this.elapsedSeconds() <= awaited.deadline) continue;
      this.awaited.splice(this.awaited.indexOf(awaited), 1);
      const expected = 1 + (awaited.run.trigger ? (awaited.run.moreOutcomes?.length ?? 0) : 0);
      for (let position = awaited.found; position < expected; position++) {
        found.push({
          run: awaited.run,
          position,
          record: null,
          startedBy: null,
          message:
            `no execution started: did the rule match? (${awaited.action}; ${awaited.found} of ${expected} ` +
            `expected executions started within ${TRIGGER_GRACE_SECONDS} s of its events)`,
        });
      }
    }
    return found;
  }

  /** Records that `cause`'s status change started `record`; a chain too long is a loop (a plain Error). */
  private chained(record: ExecutionRecord, cause: string | undefined): void {
    const length = (this.chain.get(cause ?? '') ?? 0) + 1;
    this.chain.set(record.arn, length);
    if (length > MAX_STATUS_CHANGE_CHAIN)
      throw new Error(
        `${length} executions in a row were each started by the status change of the one before ` +
          `(the last: ${record.arn}): does a rule start the state machine on its own endings, ` +
          `whatever started them?`,
      );
  }

  /** The event a delivery sent: one an AWS service sent to the bus, or one put with PutEvents. */
  private eventOf(
    eventId: string,
  ): { source: string; detailType: string; resources: readonly string[] } | undefined {
    const sent = this.account.serviceEvents.find((candidate) => candidate.id === eventId);
    if (sent) return { source: sent.source, detailType: sent['detail-type'], resources: sent.resources };
    return this.account.publishedEvents.find((candidate) => candidate.id === eventId);
  }

  /** The open run whose action's event this is: the event names its AMI or image. */
  private claimant(event: { resources: readonly string[] } | undefined): Awaited | undefined {
    const named = (resource: string) =>
      event?.resources.some((given) => given === resource || given.endsWith(`/${resource}`)) ?? false;
    return this.awaited.find(
      (awaited) => this.elapsedSeconds() <= awaited.deadline && awaited.resources.some(named),
    );
  }

  private async act(
    trigger: AccountTrigger,
  ): Promise<{ resources: string[]; dueInSeconds: number; action: string }> {
    const ec2 = new EC2Client({ region: this.account.environment.region });
    if ('publish' in trigger) {
      const id = amiOf(trigger.publish);
      this.account.publishImage(id, trigger.tagsAfterSeconds);
      return { resources: [id], dueInSeconds: 0, action: `published ${id}` };
    }
    if ('copyImage' in trigger) {
      const source = amiOf(trigger.copyImage);
      const name = this.account.environment.amis.find((ami) => ami.id === source)?.name ?? source;
      const { ImageId } = await ec2.send(
        new CopyImageCommand({
          Name: `${name}-copy`,
          SourceImageId: source,
          SourceRegion: this.account.environment.region,
          CopyImageTags: true,
        }),
      );
      this.count('ec2:CopyImage');
      const copy = String(ImageId);
      // Its event comes once the copy is available.
      return { resources: [copy], dueInSeconds: COPY_SECONDS, action: `copied ${source} to ${copy}` };
    }
    if ('enableImage' in trigger) {
      const id = amiOf(trigger.enableImage);
      await ec2.send(new EnableImageCommand({ ImageId: id }));
      this.count('ec2:EnableImage');
      return { resources: [id], dueInSeconds: 0, action: `enabled ${id}` };
    }
    const arn = trigger.imageBuilderImage;
    const image = this.account.environment.imageBuilderImages?.find((candidate) => candidate.arn === arn);
    if (!image) throw new Error(`Image Builder image ${arn} is not in the environment`);
    // Distributed first: Image Builder tests and distributes an available AMI before the image is AVAILABLE.
    this.account.publishImage(image.amiId);
    const testingSeconds = trigger.testingSeconds ?? 0;
    this.account.completeImage(arn, testingSeconds);
    return {
      resources: [image.amiId, arn],
      dueInSeconds: testingSeconds,
      action: `Image Builder completed ${arn} (AMI ${image.amiId})`,
    };
  }

  private count(operation: OperatorCall): void {
    this.ownerCalls[operation] = (this.ownerCalls[operation] ?? 0) + 1;
  }
}

/** The report's calls less those runs' actions made as the account owner. */
export function orchestratorCalls(
  calls: { total: number; byOperation: Record<string, number> },
  ownerCalls: Partial<Record<string, number>>,
): { total: number; byOperation: Record<string, number> } {
  const byOperation = { ...calls.byOperation };
  let total = calls.total;
  for (const [operation, count = 0] of Object.entries(ownerCalls)) {
    total -= count;
    const left = (byOperation[operation] ?? 0) - count;
    if (left > 0) byOperation[operation] = left;
    else delete byOperation[operation];
  }
  return { total, byOperation };
}

function named(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

/** What `npm run ops -- abort`, `approve`… do, on any group (the commands refuse where it means nothing). */
export async function requestOfOperator(
  region: string,
  group: string,
  request: OperatorRequest | KeepRequest,
): Promise<void> {
  await new AutoScalingClient({ region }).send(
    new CreateOrUpdateTagsCommand({
      Tags: [
        {
          ResourceId: group,
          ResourceType: 'auto-scaling-group',
          Key: OPERATOR_REQUEST_TAG,
          Value: request,
          PropagateAtLaunch: false,
        },
      ],
    }),
  );
}
