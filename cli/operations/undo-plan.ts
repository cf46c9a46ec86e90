import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ListExecutionsCommand, type ExecutionListItem, type SFNClient } from '@aws-sdk/client-sfn';
import { regionOf } from './arns';
import { keptFleetOf, statusNow, type KeptFleet } from './kept-fleet';
import { OperationError } from './io';
import { reportResult } from './report';

/** What `undo` deploys, and why: the AMI the latest successful deployment replaced. */
export interface FullUndo {
  readonly kind: 'full';
  /** The AMI to deploy again. */
  amiId: string;
  /** The deployment being undone. */
  undoes: { executionArn: string; name: string | null; amiId: string | null; stoppedAt: string | null };
}

/**
 * The running deployment keeps its old fleet in Standby (keepOldFleetMinutes): the undo is a request on its
 * new group, and the kept fleet serves again without a launch (docs/design.md#keeping-fleets).
 */
export interface FastUndo extends KeptFleet {
  readonly kind: 'fast';
}

export type UndoPlan = FullUndo | FastUndo;

/** How far back the latest success is looked for: ten pages of ListExecutions, newest first. */
const PAGES = 10;

const ec2 = new Map<string, EC2Client>();
function ec2Client(region: string): EC2Client {
  let client = ec2.get(region);
  if (!client) ec2.set(region, (client = new EC2Client({ region })));
  return client;
}

/**
 * Finds what an undo deploys, reading only: the latest execution whose report says `succeeded` (an abort,
 * a rollback, a skip or a nothing-to-do changed nothing that serves), and the AMI its report recorded as
 * the one it replaced (`previousAmiId`, lambdas/report-outcome). Refuses, naming why, when a deployment
 * runs (an undo queued behind it would undo what it does not know yet), when no success is on record
 * (Step Functions keeps a Standard execution's history 90 days after it ends), when the success was a
 * first deployment or did not record its previous AMI, and when that AMI can no longer be launched.
 */
export async function planUndo(client: SFNClient, stateMachineArn: string): Promise<UndoPlan> {
  const nothing = 'Nothing was started.';
  let nextToken: string | undefined;
  for (let page = 0; page < PAGES; page++) {
    const listed = await client.send(
      new ListExecutionsCommand({ stateMachineArn, maxResults: 100, nextToken }),
    );
    // The success that ended last serves, not the one started last: a recovery started after a release
    // may finish an earlier deployment before that release does (running ones, with no end, first).
    const ended = (execution: ExecutionListItem) => execution.stopDate?.getTime() ?? Number.POSITIVE_INFINITY;
    const byEnd = [...(listed.executions ?? [])].sort((a, b) => ended(b) - ended(a));
    for (const execution of byEnd) {
      const status = await statusNow(client, execution);
      if (status === 'RUNNING') {
        const kept = await keptFleetOf(client, execution);
        if (kept?.purpose === 'undo') return { kind: 'fast', ...kept };
        if (kept?.purpose === 'debug') {
          throw new OperationError(
            `${execution.name ?? execution.executionArn} failed and keeps its new fleet ${kept.keptGroup} for debugging: what serves is still the last success. ${nothing} End the keep first (npm run ops -- release), then undo; a deployment started now ends the keep by itself.`,
          );
        }
        throw new OperationError(
          `A deployment is running (${execution.name ?? execution.executionArn}) and keeps no old fleet for an undo: undo once it has ended, so that it undoes what is then serving. ${nothing} Follow it with: npm run ops -- watch --execution ${execution.executionArn}`,
        );
      }
      const plan = status === 'SUCCEEDED' ? await undoOf(client, execution) : undefined;
      if (plan) return checkLaunchable(plan, regionOf(stateMachineArn));
    }
    nextToken = listed.nextToken;
    if (!nextToken) break;
  }
  throw new OperationError(
    `No successful deployment is on record for ${stateMachineArn} (Step Functions keeps an execution's history 90 days after it ended): nothing to undo. ${nothing} To deploy an earlier AMI anyway: npm run ops -- deploy --ami AMI_ID`,
  );
}

/** The plan a succeeded execution gives, or undefined when it changed nothing (skipped, already serving). */
async function undoOf(client: SFNClient, execution: ExecutionListItem): Promise<FullUndo | undefined> {
  const executionArn = execution.executionArn ?? '';
  const report = await reportResult(client, executionArn);
  if (report?.outcome !== 'succeeded') return undefined;
  const name = execution.name ?? null;
  const amiId = typeof report.amiId === 'string' ? report.amiId : null;
  const undone = `the latest successful deployment, ${name ?? executionArn} (${amiId ?? 'unknown AMI'})`;
  if (!('previousAmiId' in report)) {
    throw new OperationError(
      `Nothing to undo automatically: ${undone} did not record the AMI it replaced (it ran before the orchestrator recorded it). Nothing was started. The old group's launch template still names it: aws ec2 describe-launch-template-versions --launch-template-name TEMPLATE --versions '$Default'; then npm run ops -- deploy --ami AMI_ID`,
    );
  }
  if (typeof report.previousAmiId !== 'string') {
    throw new OperationError(
      `Nothing to undo: ${undone} was a first deployment, or its previous group's AMI could not be told (an SSM parameter in its launch template). Nothing was started.`,
    );
  }
  return {
    kind: 'full',
    amiId: report.previousAmiId,
    undoes: { executionArn, name, amiId, stoppedAt: execution.stopDate?.toISOString() ?? null },
  };
}

/** The previous AMI must still be launchable: a deregistered or disabled AMI would be rejected anyway. */
async function checkLaunchable(plan: FullUndo, region: string): Promise<FullUndo> {
  const refused = (why: string) =>
    new OperationError(
      `Cannot undo ${plan.undoes.name ?? plan.undoes.executionArn}: the AMI it replaced, ${plan.amiId}, ${why}. Nothing was started.`,
    );
  let state: string | undefined;
  try {
    const { Images } = await ec2Client(region).send(
      new DescribeImagesCommand({ ImageIds: [plan.amiId], IncludeDisabled: true }),
    );
    state = Images?.[0]?.State;
  } catch (error) {
    if ((error as Error).name !== 'InvalidAMIID.NotFound') throw error;
  }
  if (state === undefined)
    throw refused('no longer exists (deregistered) or is not shared with this account');
  if (state === 'disabled') {
    throw refused(`is disabled: re-enable it first (aws ec2 enable-image --image-id ${plan.amiId})`);
  }
  if (state !== 'available') throw refused(`is ${state}, not available`);
  return plan;
}
