/**
 * The rules of the account's default event bus: each event the bus receives (from an AWS service or from
 * PutEvents) is matched against every enabled rule, and each target of a matching rule is sent its input.
 * A Step Functions state machine target is started with StartExecution as the target's role, authorized
 * like any other call; a delivery that fails is not retried (docs/aws-facts/eventbridge.md#rules).
 */
import { authorize } from './iam/authorization';
import type { Principal } from './iam/principal';
import { targetInput, TargetInputError, validateInputSpec, type TargetInputSpec } from './event-input';
import { matchesPattern, validatePattern } from './event-patterns';

/** An event as the bus holds it and a rule's pattern sees it ("Amazon EventBridge events"). */
export interface BusEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface RuleTarget extends TargetInputSpec {
  readonly id: string;
  readonly arn: string;
  /** The role EventBridge assumes to reach the target, with its policies as synthesized. */
  readonly role?: Principal;
}

/**
 * EventBridge API reference, Rule State: "DISABLED: The rule is disabled. EventBridge does not match any
 * events against the rule." Both enabled states match the events modelled here (none come through CloudTrail).
 */
export type RuleState = 'ENABLED' | 'DISABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

export interface EventRule {
  /** The rule's Name, or its logical id when the template names none (CloudFormation then generates one). */
  readonly name: string;
  /** Omitted: the default bus (AWS::Events::Rule EventBusName). */
  readonly eventBusName?: string;
  readonly state: RuleState;
  readonly eventPattern: Readonly<Record<string, unknown>>;
  readonly targets: readonly RuleTarget[];
}

/** StartExecution as the target calls it: the state machine and the input text. */
export type StartExecution = (request: { stateMachineArn: string; input: string }) => void;

/** One target of one rule sent one event, or failing to be. */
export interface Delivery {
  readonly rule: string;
  readonly eventId: string;
  readonly targetId: string;
  readonly targetArn: string;
  /** The input built for the target (absent when it could not be built). */
  readonly input?: string;
  readonly delivered: boolean;
  /** Why it was not delivered: the error's name (e.g. AccessDeniedException) and message. */
  readonly error?: { readonly name: string; readonly message: string };
  readonly time: string;
}

const STATE_MACHINE = /^arn:aws[a-z-]*:states:[^:]+:\d{12}:stateMachine:[^:]+$/;

export class EventRules {
  readonly deliveries: Delivery[] = [];
  private rules: readonly EventRule[] = [];
  private startExecution: StartExecution = () => {
    throw new Error('no state machine is wired to the event rules');
  };

  constructor(private readonly options: { readonly region: string; readonly accountId: string }) {}

  /** Replaces the bus's rules; throws on anything the simulation does not model. */
  set(rules: readonly EventRule[], startExecution: StartExecution): void {
    for (const rule of rules) {
      if (
        rule.eventBusName !== undefined &&
        rule.eventBusName !== 'default' &&
        rule.eventBusName !== this.busArn
      )
        throw new Error(`Rule ${rule.name}: only the default event bus is modelled`);
      validatePattern(rule.eventPattern);
      for (const target of rule.targets) {
        if (!STATE_MACHINE.test(target.arn))
          throw new Error(`Rule ${rule.name}: only Step Functions state machine targets are modelled`);
        validateInputSpec(target);
      }
    }
    this.rules = rules;
    this.startExecution = startExecution;
  }

  /** The bus received `event`: every enabled rule whose pattern matches it sends it to its targets. */
  route(event: BusEvent): void {
    const view = event as unknown as Record<string, unknown>;
    for (const rule of this.rules) {
      if (rule.state === 'DISABLED' || !matchesPattern(rule.eventPattern, view)) continue;
      for (const target of rule.targets) this.deliver(rule, target, event, view);
    }
  }

  private get busArn(): string {
    return `arn:aws:events:${this.options.region}:${this.options.accountId}:event-bus/default`;
  }

  private deliver(rule: EventRule, target: RuleTarget, event: BusEvent, view: Record<string, unknown>): void {
    const record = { rule: rule.name, eventId: event.id, targetId: target.id, targetArn: target.arn };
    const time = new Date().toISOString();
    let input: string | undefined;
    try {
      input = targetInput(target, view, {
        ruleArn: `arn:aws:events:${this.options.region}:${this.options.accountId}:rule/${rule.name}`,
        ruleName: rule.name,
        ingestionTime: event.time,
      });
      // PutTargets, RoleArn: EventBridge reaches a state machine only through the role it is given.
      if (!target.role)
        throw Object.assign(new Error('The target has no role'), { name: 'AccessDeniedException' });
      const request = { stateMachineArn: target.arn, input };
      authorize(target.role, 'states', 'StartExecution', request);
      this.startExecution(request);
      this.deliveries.push({ ...record, input, delivered: true, time });
    } catch (error) {
      // A plain Error is the simulation's own mistake, not an answer AWS would give: it is not swallowed.
      if (!(error instanceof Error) || error.name === 'Error') throw error;
      // "Event retry policy and using dead-letter queues": missing permissions and a target that no longer
      // exists are not retried; with no dead-letter queue the event is dropped.
      const name = error instanceof TargetInputError ? 'TargetInputError' : error.name;
      this.deliveries.push({
        ...record,
        input,
        delivered: false,
        error: { name, message: error.message },
        time,
      });
    }
  }
}
