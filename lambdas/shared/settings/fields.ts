import * as z from 'zod/mini';

/**
 * The settings' field schemas that steps take on their own (group names, target group ARNs, capacities),
 * apart from the whole configuration's schema (./index.ts): a step that validates a group name does not
 * build the configuration's schema each cold start.
 */

const TARGET_GROUP_ARN =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]+$/;
const GROUP_NAME = /^[\u0020-\uD7FF\uE000-\uFFFD]{1,255}$/;

export const groupNameSchema = z
  .string()
  .check(z.regex(GROUP_NAME, 'must be an Auto Scaling group name (1–255 characters)'));

export const targetGroupArnSchema = z
  .string()
  .check(
    z.regex(
      TARGET_GROUP_ARN,
      'must be a target group ARN like "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/name/0123456789abcdef"',
    ),
  );

/** Where a resource is, from its ARN (`arn:PARTITION:SERVICE:REGION:ACCOUNT:…`). */
export interface ArnLocation {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** The location of a well-formed target group ARN; undefined for anything else (a name, a placeholder). */
export function targetGroupLocation(arn: string): ArnLocation | undefined {
  if (!TARGET_GROUP_ARN.test(arn)) return undefined;
  const [, partition, , region, account] = arn.split(':');
  return { partition, region, account };
}

/** Where the target groups must be, as configured outside the file: `source` names it, `fix` says what to change. */
export interface ExpectedLocation {
  readonly region?: string;
  readonly account?: string;
  readonly source: string;
  readonly fix: string;
}

/**
 * Target groups outside the Region or account the orchestrator runs in: its steps find the Auto Scaling
 * groups by name in their own Region and account, and an Auto Scaling group attaches target groups of its
 * own Region and account only. One problem per target group, `field` under `targetGroups`.
 */
export function targetGroupsOutside(
  targetGroups: { readonly main: string; readonly synthetic: string },
  expected: ExpectedLocation,
): { field: string; problem: string }[] {
  return (['main', 'synthetic'] as const).flatMap((name) => {
    const location = targetGroupLocation(targetGroups[name]);
    if (location === undefined) return [];
    const differences = [
      expected.region !== undefined && location.region !== expected.region
        ? `in ${location.region}, not ${expected.region}`
        : undefined,
      expected.account !== undefined && location.account !== expected.account
        ? `in account ${location.account}, not ${expected.account}`
        : undefined,
    ].filter((difference): difference is string => difference !== undefined);
    if (differences.length === 0) return [];
    return [
      {
        field: `targetGroups.${name}`,
        problem: `is ${differences.join(' and ')} (${expected.source}): the orchestrator, the Auto Scaling groups and the target groups must share one Region and account; ${expected.fix}`,
      },
    ];
  });
}

export const capacitySchema = z
  .strictObject({
    min: z.int().check(z.minimum(0), z.maximum(1000)),
    desired: z.int().check(z.minimum(0), z.maximum(1000)),
    max: z.int().check(z.minimum(1), z.maximum(1000)),
  })
  .check(
    z.refine((c) => c.min <= c.desired && c.desired <= c.max, {
      message: 'must satisfy min <= desired <= max',
    }),
  );
export type Capacity = z.infer<typeof capacitySchema>;

/** The two Auto Scaling groups (`groups`). */
export const groupsSchema = z.strictObject({ blue: groupNameSchema, green: groupNameSchema });

/** The main and synthetic target groups (`targetGroups`). */
export const targetGroupsSchema = z.strictObject({
  main: targetGroupArnSchema,
  synthetic: targetGroupArnSchema,
});

/** The header that routes a request to the synthetic target group (`syntheticChecks.header`). */
export const syntheticHeaderSchema = z.strictObject({
  name: z.string().check(z.minLength(1)),
  value: z.string().check(z.minLength(1)),
});
export type SyntheticHeader = z.infer<typeof syntheticHeaderSchema>;
