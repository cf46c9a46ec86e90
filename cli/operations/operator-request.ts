import { CreateOrUpdateTagsCommand, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { operatorRequestOf, trafficSourcesOf } from '../../lambdas/shared/aws/auto-scaling';
import { OPERATOR_REQUEST_TAG, type OperatorRequest } from '../../lambdas/shared/contract';
import { parseOptions } from './args';
import { autoScalingClient } from './clients';
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

const EFFECT: Record<OperatorRequest, string> = {
  promote: 'finish now: skip the rest of the rollback window, retire the old fleet',
  rollback: 'roll back now: the old fleet back in service, the new group detached and scaled to zero',
};

/**
 * Asks the running deployment to promote or roll back, the one way the state machine listens: a tag on
 * the NEW group, which the window's monitor reads at each check. The new group is found in the account,
 * not in an execution: during the window it is the group attached to the synthetic target group (and to
 * the main one: traffic has shifted). Outside the window nothing reads the tag, so nothing is written.
 */
export async function requestFromOperator(
  request: OperatorRequest,
  options: OperatorRequestOptions,
  io: Io,
): Promise<number> {
  const { groups, mainTargetGroup, syntheticTargetGroup, region } = options.targets;
  const client = autoScalingClient(region);
  const sources = await Promise.all(groups.map((group) => trafficSourcesOf(client, group)));
  const candidates = groups.filter((_, index) => attachedTo(sources[index], syntheticTargetGroup));
  const refused = `Nothing was changed; no ${request} was requested.`;

  if (candidates.length === 0) {
    throw new OperationError(
      `No deployment is in its rollback window: neither ${groups.join(' nor ')} is attached to the synthetic target group ${syntheticTargetGroup}. ${refused}`,
    );
  }
  if (candidates.length > 1) {
    throw new OperationError(
      `Both ${groups.join(' and ')} are attached to the synthetic target group ${syntheticTargetGroup}, which no deployment does: which group is new is unclear. ${refused} Check the groups' target groups: ${groups.map((name) => `aws autoscaling describe-traffic-sources --auto-scaling-group-name ${name}`).join('; ')}.`,
    );
  }
  const group = candidates[0];
  if (!attachedTo(sources[groups.indexOf(group)], mainTargetGroup)) {
    // Before the shift the deployment is still proving the new version (and aborts on its own if the
    // synthetic checks fail); a rollback request then would first send users to the version it distrusts.
    throw new OperationError(
      `The deployment to ${group} has not reached its rollback window: ${group} is not attached to the main target group ${mainTargetGroup} yet (the new version is still being proven). ${refused} Run it again once traffic has shifted (npm run ops -- status).`,
    );
  }

  const [described] =
    (await client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] })))
      .AutoScalingGroups ?? [];
  const previous = described ? operatorRequestOf(described) : undefined;
  const result = {
    outcome: 'succeeded',
    exitCode: EXIT.ok,
    request,
    group,
    previousRequest: previous ?? null,
  };
  if (previous === request) {
    if (options.output === 'json') printJson(io, { ...result, changed: false });
    else
      io.out(
        `${group} already carries ${OPERATOR_REQUEST_TAG}=${request}: the deployment will ${EFFECT[request]}.`,
      );
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
  const said = `Tagged ${group} with ${OPERATOR_REQUEST_TAG}=${request}: the deployment will ${EFFECT[request]}.`;
  if (options.output === 'json') printJson(io, { ...result, changed: true });
  else io.out(said);
  io.err('It acts at the next check of the window (every 30 s by default). Follow it with:');
  io.err('  npm run ops -- watch --state-machine-arn <StateMachineArn>');
  return EXIT.ok;
}

function usage(request: OperatorRequest): string {
  return `Usage: npm run ops -- ${request} (--config FILE | --groups BLUE,GREEN --main-target-group ARN|NAME
                                 --synthetic-target-group ARN|NAME) [--region REGION] [--output text|json]

Asks the deployment in its rollback window to
  ${EFFECT[request]}.
It finds the new group (attached to the synthetic and the main target group) and tags it
${OPERATOR_REQUEST_TAG}=${request}; the window's monitor reads the tag at its next check.
Refused, with nothing changed, when no deployment is in its rollback window.

${GROUP_USAGE}
${OUTPUT_USAGE}

Exit code 0 when the request is set; 1 when refused or AWS failed; 2 on a usage error.`;
}

export function operatorRequestCommand(
  request: OperatorRequest,
  summary: string,
): Command<OperatorRequestOptions> {
  return {
    name: request,
    summary,
    usage: usage(request),
    parse: parseOperatorRequestOptions,
    run: (options, io) => requestFromOperator(request, options, io),
  };
}
