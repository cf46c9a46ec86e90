/**
 * Instance refreshes as the pre-flight check reads them: the refreshes an environment starts with, by
 * group (DescribeInstanceRefreshes API reference: newest first, MaxRecords ≤ 100, unknown group → empty),
 * and CancelInstanceRefresh (Cancelling, then Cancelled).
 */
import {
  CancelInstanceRefreshCommand,
  DescribeInstanceRefreshesCommand,
  type InstanceRefreshStatus,
} from '@aws-sdk/client-auto-scaling';
import type { EnvironmentDescription } from './environment';
import { constraintMessage, serviceError } from './errors';
import { route, type Route } from './router';

/** Statuses CancelInstanceRefresh acts on (API reference: "an instance refresh … that is in progress"). */
const CANCELLABLE = new Set(['Pending', 'InProgress', 'Baking']);
/**
 * UNCONFIRMED: how long Cancelling lasts (AWS lets replacements under way finish; the simulation runs none,
 * so it is short but observable).
 */
const CANCELLING_SECONDS = 5;

export class InstanceRefreshes {
  /** When each cancelled refresh was cancelled, by id. */
  private readonly cancelledAt = new Map<string, number>();

  constructor(
    private readonly environment: EnvironmentDescription,
    private readonly now: () => number = Date.now,
  ) {}

  private status(refresh: { id: string; status: string }): string {
    const cancelledAt = this.cancelledAt.get(refresh.id);
    if (cancelledAt === undefined) return refresh.status;
    return this.now() < cancelledAt + CANCELLING_SECONDS * 1000 ? 'Cancelling' : 'Cancelled';
  }

  routes(): Route[] {
    return [
      route(CancelInstanceRefreshCommand, (input) => {
        const group = Object.values(this.environment.groups).find(
          (candidate) => candidate.name === input.AutoScalingGroupName,
        );
        const refresh = group?.instanceRefreshes?.find((candidate) =>
          CANCELLABLE.has(this.status(candidate)),
        );
        if (!refresh) {
          // UNCONFIRMED: exact text.
          throw serviceError(
            'autoscaling',
            'ActiveInstanceRefreshNotFoundFault',
            `No in progress or pending Instance Refresh found for Auto Scaling group ${input.AutoScalingGroupName}`,
          );
        }
        this.cancelledAt.set(refresh.id, this.now());
        return { InstanceRefreshId: refresh.id };
      }),
      route(DescribeInstanceRefreshesCommand, (input) => {
        if (input.MaxRecords !== undefined && (input.MaxRecords < 1 || input.MaxRecords > 100)) {
          throw serviceError(
            'autoscaling',
            'ValidationError',
            constraintMessage(
              String(input.MaxRecords),
              'maxRecords',
              'Member must have value less than or equal to 100',
            ),
          );
        }
        const group = Object.values(this.environment.groups).find(
          (candidate) => candidate.name === input.AutoScalingGroupName,
        );
        return {
          InstanceRefreshes: (group?.instanceRefreshes ?? []).map((refresh) => ({
            InstanceRefreshId: refresh.id,
            AutoScalingGroupName: group?.name,
            Status: this.status(refresh) as InstanceRefreshStatus,
          })),
        };
      }),
    ];
  }
}
