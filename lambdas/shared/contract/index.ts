/**
 * What the CLI, infra, the state machine and the Lambdas must agree on, in one place that loads neither
 * aws-cdk-lib nor an AWS SDK client (zod only): the CLI and the simulator import it without the weight of
 * either. It lives under lambdas/shared/ because the Lambdas ship it: the step bundles' cache key and the
 * synthesized workflows' cache key both cover that folder already.
 */
export * from './milestones';
export * from './outcomes';
export * from './schemas';
export * from './states';
export * from './tags';
export * from './schema-keys';
export * from './errors';
export * from './keep';
export * from './arns';
