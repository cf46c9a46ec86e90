import { capacityOf, describeEachGroup, instancesIn, updateCapacity } from '../shared/aws/auto-scaling';
import { defineHandler } from '../shared/handler';
import { InputSchema, type Input } from './input';

/**
 * Match new fleet to production's capacity (docs/design.md#capacity): the new group was sized from
 * production when the deployment started, but production may have scaled out since (load, a schedule)
 * while the new version was being prepared and approved. Just before the shift the new group grows to what
 * production serves with now, so that the fleet that takes every request is not smaller than the one it
 * replaces; the waits that follow hold the shift until the added instances are in service and healthy.
 * It never shrinks the new group: a production that scaled in is matched by the new group's own scaling.
 *
 * Idempotent (I6): a repeated run finds the sizes set and changes nothing.
 */

export interface CapacityMatch {
  /** The new group's desired capacity the shift waits for. */
  desired: number;
  /** What production serves with now: its desired capacity, or more if more instances are in service. */
  production: number;
  /** How many instances this run added (0 on a repeated run or when the new group was large enough). */
  added: number;
}

async function run({ roles }: Input): Promise<CapacityMatch> {
  const [fresh, serving] = await describeEachGroup([
    roles.standby.groupName,
    ...(roles.active ? [roles.active.groupName] : []),
  ]);
  const current = capacityOf(fresh);
  if (!serving || !roles.active) return { desired: current.desired, production: 0, added: 0 };

  const production = Math.max(capacityOf(serving).desired, instancesIn(serving, 'InService').length);
  if (production <= current.desired) return { desired: current.desired, production, added: 0 };
  await updateCapacity(roles.standby.groupName, {
    desired: production,
    max: Math.max(current.max, production),
  });
  return { desired: production, production, added: production - current.desired };
}

export const handler = defineHandler('match-production-capacity', InputSchema, run);
