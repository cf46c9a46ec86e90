import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { ref } from '../payload';

/** Where the phases read what earlier steps found. */
export const STATE = {
  amiId: ref('$.amiId'),
  execution: ref('$.execution'),
  settings: ref('$.settings'),
  roles: ref('$.roles'),
  failure: ref('$.failure'),
  /** The group that receives the new version. */
  standbyGroup: ref('$.roles.standby.groupName'),
  /** The group that serves now: the old fleet. */
  activeGroup: ref('$.roles.active.groupName'),
} as const;

/** No group serves yet: there is no old fleet to stand down, restore or retire. */
export const FIRST_DEPLOYMENT = sfn.Condition.booleanEquals('$.roles.firstDeployment', true);
