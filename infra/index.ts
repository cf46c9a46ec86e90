/**
 * The package's entry point (`import { BlueGreenDeployment } from 'asg-blue-green'`): the construct, the
 * types of its props, and the configuration file's loader and schema. README.md, "Use it in your own CDK app".
 */
export {
  BlueGreenDeployment,
  validateSettings,
  type BlueGreenDeploymentProps,
  type ExistingTopic,
} from './blue-green-deployment';
export {
  configurationFileSchema,
  ConfigurationError,
  loadConfig,
  loadDeploymentProps,
  parseConfig,
  type ConfigFile,
  type ConfigurationProblem,
} from './config';
export type {
  AlarmReference,
  ConfiguredProps,
  GroupReference,
  GroupsProp,
  MonitoringProp,
  TargetGroupReference,
  TargetGroupsProp,
} from './props';
export type { Settings, SettingsInput } from '../lambdas/shared/settings';
