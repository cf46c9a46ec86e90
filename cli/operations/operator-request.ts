import { CreateOrUpdateTagsCommand, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeListenersCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { operatorRequestOf, trafficSourcesOf } from '../../lambdas/shared/aws/auto-scaling';
import { OPERATOR_REQUEST_TAG, type OperatorRequest } from '../../lambdas/shared/contract';
import { parseOptions } from './args';
import { autoScalingClient, loadBalancingClient } from './clients';
import type { Command } from './command';
import { attachedTo, GROUP_OPTIONS, GROUP_USAGE, parseGroupTargets, type GroupTargets } from './groups';
import { EXIT, OperationError, type Io } from './io';
import { OUTPUT_OPTION, OUTPUT_USAGE, outputOption, printJson, type OutputFormat } from './output';

export interface OperatorRequestOptions {
  targets: GroupTargets;
  output?: OutputFormat;
}

export function parseOperatorRequestOptions(argv: string[]): OperatorRequestOptions {
  const { output, ...values } = parseOptions(argv, { ...GROUP_OPTIONS, ...OUTPUT_OPTION });
  return { targets: parseGroupTargets(values), output: outputOption(output) };
}

/**
 * What an operator asks: the window's `promote` and `rollback`, `approve` at the approval gate, and `abort`
 * at any phase (the `rollback` tag, read by every wait from the launch on: docs/operations.md).
 */
export type OperatorAsk = OperatorRequest | 'abort';

const TAG_VALUE: Record<OperatorAsk, OperatorRequest> = {
  promote: 'promote',
  rollback: 'rollback',
  approve: 'approve',
  abort: 'rollback',
};

const EFFECT: Record<OperatorAsk, string> = {
  promote: 'finish now: skip the rest of the rollback window, retire the old fleet',
  rollback: 'roll back now: the old fleet back in service, the new group detached and scaled to zero',
  approve:
    'shift production traffic to the new version once it reaches its approval gate (with `approval` configured; an approval given earlier counts, and without a gate nothing reads it)',
  abort:
    'stop now: before the traffic shift it aborts (production untouched), after it it rolls back (the old fleet back in service first)',
};

/** The group receiving the new version, and how far the deployment has gone with it. */
interface NewGroup {
  readonly group: string;
  /** On the main target group, or weighted onto through the synthetic one: traffic has shifted. */
  readonly shifted: boolean;
  /** On the synthetic target group: proven or being proven (the synthetic checks, the approval gate). */
  readonly onSynthetic: boolean;
}

/**
 * Finds the new group in the account, not in an execution: the group on the synthetic target group (from
 * the synthetic checks to the end of the window), or, before that, the one being launched (not serving,
 * instances wanted). Undefined when no deployment is under way with a new group; throws when the account
 * shows two.
 */
async function findNewGroup(
  client: ReturnType<typeof autoScalingClient>,
  targets: GroupTargets,
  refused: string,
): Promise<NewGroup | undefined> {
  const { groups, mainTargetGroup, syntheticTargetGroup } = targets;
  const sources = await Promise.all(groups.map((group) => trafficSourcesOf(client, group)));
  const onMain = (index: number) => attachedTo(sources[index], mainTargetGroup);
  const candidates = groups.filter((_, index) => attachedTo(sources[index], syntheticTargetGroup));
  if (candidates.length > 1) {
    throw new OperationError(
      `Both ${groups.join(' and ')} are attached to the synthetic target group ${syntheticTargetGroup}, which no deployment does: which group is new is unclear. ${refused} Check the groups' target groups: ${groups.map((name) => `aws autoscaling describe-traffic-sources --auto-scaling-group-name ${name}`).join('; ')}.`,
    );
  }
  if (candidates.length === 1) {
    const group = candidates[0];
    const shifted = onMain(groups.indexOf(group)) || (await usersReachSynthetic(targets.region, targets));
    return { group, shifted, onSynthetic: true };
  }
  const described =
    (await client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [...groups] })))
      .AutoScalingGroups ?? [];
  const launching = groups.filter(
    (group, index) =>
      !onMain(index) &&
      (described.find((found) => found.AutoScalingGroupName === group)?.DesiredCapacity ?? 0) > 0,
  );
  return launching.length === 1 ? { group: launching[0], shifted: false, onSynthetic: false } : undefined;
}

/**
 * A shift by weight (docs/design.md#gradual-shift) gives users their share of the new version through the
 * synthetic target group before the new group joins the main one: a listener's default action forwarding
 * there with some weight means traffic has shifted as much as the new group on the main target group does.
 */
async function usersReachSynthetic(
  region: string | undefined,
  targets: Pick<GroupTargets, 'mainTargetGroup' | 'syntheticTargetGroup'>,
): Promise<boolean> {
  const client = loadBalancingClient(region);
  const { TargetGroups = [] } = await client.send(
    new DescribeTargetGroupsCommand({ TargetGroupArns: [targets.mainTargetGroup] }),
  );
  for (const loadBalancerArn of TargetGroups[0]?.LoadBalancerArns ?? []) {
    const { Listeners = [] } = await client.send(
      new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn }),
    );
    const weighted = Listeners.flatMap((listener) => listener.DefaultActions ?? []).some((action) =>
      (action.ForwardConfig?.TargetGroups ?? []).some(
        (group) => group.TargetGroupArn === targets.syntheticTargetGroup && (group.Weight ?? 1) > 0,
      ),
    );
    if (weighted) return true;
  }
  return false;
}

/** Why `ask` cannot be made of the deployment as the account shows it, or undefined when it can. */
function refusal(ask: OperatorAsk, found: NewGroup | undefined, targets: GroupTargets, refused: string) {
  const { groups, mainTargetGroup, syntheticTargetGroup } = targets;
  if (!found) {
    const window = ask === 'promote' || ask === 'rollback';
    const where = `attached to the synthetic target group ${syntheticTargetGroup}${window ? '' : ' or being launched'}`;
    return `No deployment is ${window ? 'in its rollback window' : 'under way'}: neither ${groups.join(' nor ')} is ${where}. ${refused}${ask === 'abort' ? ' Before the launch, stop the execution instead (aws stepfunctions stop-execution): its recovery leaves the account as it was.' : ''}`;
  }
  const { group } = found;
  if (ask === 'approve' && targets.approvalGate === false) {
    return `The configuration sets no approval gate (approval): the deployment to ${group} waits for no approval, and nothing would read one. ${refused}`;
  }
  if ((ask === 'promote' || ask === 'rollback') && !found.shifted) {
    // Before the shift the deployment is still proving the new version (and aborts on its own if the
    // synthetic checks fail); a rollback request then would first send users to the version it distrusts.
    return `The deployment to ${group} has not reached its rollback window: ${group} is not attached to the main target group ${mainTargetGroup} yet (the new version is still being proven). ${refused} Run it again once traffic has shifted (npm run ops -- status)${ask === 'rollback' ? ', or stop it now with npm run ops -- abort' : ''}.`;
  }
  if (ask === 'approve' && (found.shifted || !found.onSynthetic)) {
    return found.shifted
      ? `The deployment to ${group} has already shifted traffic: there is nothing left to approve. ${refused}`
      : `The deployment to ${group} has not reached its approval gate yet (its new version is still launching). ${refused} Run it again once it waits for approval (npm run ops -- status).`;
  }
  return undefined;
}

/**
 * Asks the running deployment to promote, roll back, go past its approval gate or stop, the one way the
 * state machine listens: a tag on the NEW group, which its waits read at each check. The new group is
 * found in the account (findNewGroup); when the deployment is not where the request means anything,
 * nothing is written.
 */
export async function requestFromOperator(
  ask: OperatorAsk,
  options: OperatorRequestOptions,
  io: Io,
): Promise<number> {
  const client = autoScalingClient(options.targets.region);
  const request = TAG_VALUE[ask];
  const refused = `Nothing was changed; no ${ask} was requested.`;
  const found = await findNewGroup(client, options.targets, refused);
  const problem = refusal(ask, found, options.targets, refused);
  if (problem || !found) throw new OperationError(problem ?? refused);
  const { group } = found;
  const effect =
    ask === 'abort' ? (found.shifted ? EFFECT.rollback : 'abort now: production untouched') : EFFECT[ask];

  const [described] =
    (await client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] })))
      .AutoScalingGroups ?? [];
  const previous = described ? operatorRequestOf(described) : undefined;
  const result = {
    outcome: 'succeeded',
    exitCode: EXIT.ok,
    request: ask,
    tag: request,
    group,
    previousRequest: previous ?? null,
  };
  if (previous === request) {
    if (options.output === 'json') printJson(io, { ...result, changed: false });
    else
      io.out(`${group} already carries ${OPERATOR_REQUEST_TAG}=${request}: the deployment will ${effect}.`);
    return EXIT.ok;
  }
  await client.send(
    new CreateOrUpdateTagsCommand({
      Tags: [
        {
          ResourceId: group,
          ResourceType: 'auto-scaling-group',
          Key: OPERATOR_REQUEST_TAG,
          Value: request,
          // The request is for this deployment; instances must not carry it.
          PropagateAtLaunch: false,
        },
      ],
    }),
  );
  if (previous) io.err(`note: this replaces the earlier request "${previous}" on ${group}.`);
  const said = `Tagged ${group} with ${OPERATOR_REQUEST_TAG}=${request}: the deployment will ${effect}.`;
  if (options.output === 'json') printJson(io, { ...result, changed: true });
  else io.out(said);
  io.err("It acts at the wait's next check (every 10-30 s by default). Follow it with:");
  io.err('  npm run ops -- watch --state-machine-arn <StateMachineArn>');
  return EXIT.ok;
}

const WHEN: Record<OperatorAsk, string> = {
  promote: 'Asks the deployment in its rollback window to',
  rollback: 'Asks the deployment in its rollback window to',
  approve: 'Asks the deployment waiting at its approval gate (the `approval` setting) to',
  abort: 'Asks the deployment, at any phase from the launch of its new version, to',
};

const REFUSED_WHEN: Record<OperatorAsk, string> = {
  promote: 'no deployment is in its rollback window',
  rollback: 'no deployment is in its rollback window',
  approve: 'no deployment is between its synthetic checks and its traffic shift',
  abort: 'no new version is being launched, proven or watched',
};

function usage(ask: OperatorAsk): string {
  return `Usage: npm run ops -- ${ask} (--config FILE | --groups BLUE,GREEN --main-target-group ARN|NAME
                                 --synthetic-target-group ARN|NAME) [--region REGION] [--output text|json]

${WHEN[ask]}
  ${EFFECT[ask]}.
It finds the new group (on the synthetic target group, or being launched) and tags it
${OPERATOR_REQUEST_TAG}=${TAG_VALUE[ask]}; the deployment's current wait reads the tag at its next check.
Refused, with nothing changed, when ${REFUSED_WHEN[ask]}.

${GROUP_USAGE}
${OUTPUT_USAGE}

Exit code 0 when the request is set; 1 when refused or AWS failed; 2 on a usage error.`;
}

export function operatorRequestCommand(ask: OperatorAsk, summary: string): Command<OperatorRequestOptions> {
  return {
    name: ask,
    summary,
    usage: usage(ask),
    parse: parseOperatorRequestOptions,
    run: (options, io) => requestFromOperator(ask, options, io),
  };
}
