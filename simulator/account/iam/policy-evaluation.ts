// Over 250 lines: IAM's evaluation of identity policies (statements, conditions, wildcards) as one algorithm.
/**
 * IAM identity-policy evaluator for the simulated account: decides one action on one resource the way the IAM
 * User Guide documents it, and throws on anything it does not model rather than guess (a simulation that
 * quietly allows what AWS would refuse is worse than one that stops).
 */

export type ConditionValue = string | boolean | number | readonly (string | boolean | number)[];

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, ConditionValue>>>>;
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: PolicyStatement | readonly PolicyStatement[];
}

/** One authorization check: an action on one resource, with the request context keys AWS supplies for it. */
export interface AuthorizationRequest {
  readonly action: string; // e.g. 'autoscaling:UpdateAutoScalingGroup'
  readonly resource: string; // an ARN, or '*' for actions without resource-level permissions
  readonly context?: Readonly<Record<string, string | readonly string[] | boolean | undefined>>; // key names as AWS spells them, e.g. 'ec2:LaunchTemplate', 'iam:PassedToService', 'autoscaling:ResourceTag/Team'
}

export type Decision =
  | { readonly allowed: true; readonly statement: PolicyStatement }
  | {
      readonly allowed: false;
      readonly reason: 'explicit-deny' | 'no-allow';
      readonly statement?: PolicyStatement;
    };

type Scalar = string | boolean | number;
type RequestContext = AuthorizationRequest['context'];

const isList = <T>(value: T | readonly T[]): value is readonly T[] => Array.isArray(value);
const list = <T>(value: T | readonly T[] | undefined): readonly T[] =>
  value === undefined ? [] : isList(value) ? value : [value];
const unsupported = (what: string): Error => new Error(`IAM policy evaluation does not model ${what}`);

/** `*`/`?` pattern to an anchored RegExp; `wildcard` decides what each wildcard may span. */
function glob(pattern: string, wildcard: (ch: string, next: string) => string, flags = ''): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const ch = pattern.charAt(i);
    source +=
      ch === '*' || ch === '?'
        ? wildcard(ch, pattern.charAt(i + 1))
        : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, `s${flags}`);
}
const anything = (ch: string): string => (ch === '*' ? '.*' : '.');

// The service prefix and action name are case-insensitive, and `*`/`?` may stand anywhere in them.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
const actionMatches = (pattern: string, action: string): boolean => glob(pattern, anything, 'i').test(action);

// Wildcards work within a colon-separated ARN segment, but a `*` that is the last character of a segment
// "can expand to match beyond the colon boundaries". Matching is case-sensitive (the page's IAM user name note).
// `Resource: "*"` names every resource, so it also covers a request for `*`.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
const resourceMatches = (pattern: string, resource: string): boolean =>
  pattern === '*' ||
  glob(pattern, (ch, next) => (ch === '?' ? '[^:]' : next === '' || next === ':' ? '.*' : '[^:]*')).test(
    resource,
  );

// An ARN is arn:partition:service:region:account-id:resource, where the resource part may itself hold colons.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
function arnComponents(arn: string): readonly string[] | undefined {
  const parts = arn.split(':');
  return parts.length < 6 || parts[0] !== 'arn'
    ? undefined
    : [...parts.slice(0, 5), parts.slice(5).join(':')];
}

// ArnEquals and ArnLike behave identically: case-sensitive, "each of the six colon-delimited components of the
// ARN is checked separately" and each may hold `*`/`?`, so a wildcard never spills into the next component.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
function arnMatches(pattern: string, value: string): boolean {
  const want = arnComponents(pattern);
  const got = arnComponents(value);
  return (
    want !== undefined && got !== undefined && want.every((part, i) => glob(part, anything).test(got[i]))
  );
}

/** `test` is the positive comparison; a negated operator is true when no policy value passes it. */
interface Operator {
  readonly negated: boolean;
  readonly test: (policyValue: string, requestValue: string) => boolean;
}
const same = (p: string, r: string): boolean => p === r;
const sameIgnoringCase = (p: string, r: string): boolean => p.toLowerCase() === r.toLowerCase();
const like = (p: string, r: string): boolean => glob(p, anything).test(r);
const numeric = (negated: boolean, compare: (request: number, policy: number) => boolean): Operator => ({
  negated,
  test: (p, r) => r.trim() !== '' && compare(Number(r), Number(p)),
});

// String operators: Equals/Like are case-sensitive, Like takes `*`/`?` anywhere; Bool matches "true"/"false".
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
const OPERATORS = new Map<string, Operator>([
  ['StringEquals', { negated: false, test: same }],
  ['StringNotEquals', { negated: true, test: same }],
  ['StringEqualsIgnoreCase', { negated: false, test: sameIgnoringCase }],
  ['StringNotEqualsIgnoreCase', { negated: true, test: sameIgnoringCase }],
  ['StringLike', { negated: false, test: like }],
  ['StringNotLike', { negated: true, test: like }],
  ['ArnEquals', { negated: false, test: arnMatches }],
  ['ArnLike', { negated: false, test: arnMatches }],
  ['ArnNotEquals', { negated: true, test: arnMatches }],
  ['ArnNotLike', { negated: true, test: arnMatches }],
  ['Bool', { negated: false, test: sameIgnoringCase }],
  ['NumericEquals', numeric(false, (r, p) => r === p)],
  ['NumericNotEquals', numeric(true, (r, p) => r === p)],
  ['NumericLessThan', numeric(false, (r, p) => r < p)],
  ['NumericLessThanEquals', numeric(false, (r, p) => r <= p)],
  ['NumericGreaterThan', numeric(false, (r, p) => r > p)],
  ['NumericGreaterThanEquals', numeric(false, (r, p) => r >= p)],
]);

interface ParsedOperator {
  readonly name: string;
  readonly set: 'ForAnyValue' | 'ForAllValues' | undefined;
  readonly ifExists: boolean;
  readonly operator: Operator | undefined; // undefined: the Null check
}

function parseOperator(name: string): ParsedOperator {
  const colon = name.indexOf(':');
  const set = colon < 0 ? undefined : name.slice(0, colon);
  if (set !== undefined && set !== 'ForAnyValue' && set !== 'ForAllValues') {
    throw unsupported(`condition set operator "${set}" (in "${name}")`);
  }
  const op = name.slice(colon + 1);
  const ifExists = op.endsWith('IfExists');
  const base = ifExists ? op.slice(0, -'IfExists'.length) : op;
  // IfExists can be added to "any condition operator name except the Null condition".
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists
  if (base === 'Null' && !ifExists && set === undefined) return { name, set, ifExists, operator: undefined };
  const operator = OPERATORS.get(base);
  if (operator === undefined) throw unsupported(`condition operator "${name}"`);
  return { name, set, ifExists, operator };
}

// Condition key names are case-insensitive (value case-sensitivity is the operator's business).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
// An empty list is "a null data set" and is treated as an absent key.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
function requestValues(context: RequestContext, key: string): readonly string[] | undefined {
  const name = Object.keys(context ?? {}).find((k) => k.toLowerCase() === key.toLowerCase());
  const value = name === undefined ? undefined : context?.[name];
  const values = value === undefined ? [] : list(typeof value === 'boolean' ? String(value) : value);
  return values.length === 0 ? undefined : values;
}

function keyHolds(
  op: ParsedOperator,
  key: string,
  policyValues: readonly string[],
  request?: readonly string[],
) {
  const { operator } = op;
  // Null: "true" means the key is absent, "false" that it is present.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Null
  if (operator === undefined)
    return policyValues.some((v) => (v.toLowerCase() === 'true') === (request === undefined));
  // ...IfExists: "If the key is not present, evaluate the condition element as true" (for this key only).
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists
  if (request === undefined && op.ifExists) return true;
  // Several values for one key OR together; under a negated operator they NOR together.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
  const matches = (value: string): boolean =>
    policyValues.some((p) => operator.test(p, value)) !== operator.negated;
  // ForAllValues: every request value matches (true when the key is absent); ForAnyValue: at least one does
  // (false when absent). The set qualifier's absent-key rule wins over the negated-operator rule below.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
  if (op.set === 'ForAllValues') return (request ?? []).every(matches);
  if (op.set === 'ForAnyValue') return (request ?? []).some(matches);
  // Absent key: positive operators are false, negated ones (StringNotLike, ArnNotLike, ...) are true.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
  if (request === undefined) return operator.negated;
  // "Multivalued context keys require a condition set operator"; what AWS does without one is undocumented.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
  if (request.length > 1)
    throw unsupported(`multivalued context key "${key}" under "${op.name}" (no set operator)`);
  return matches(request[0]);
}

// Operators AND together, keys within an operator AND together.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html
function conditionsHold(condition: PolicyStatement['Condition'], context: RequestContext): boolean {
  return Object.entries(condition ?? {}).every(([name, keys]) => {
    const op = parseOperator(name);
    return Object.entries(keys).every(([key, value]) =>
      keyHolds(op, key, list<Scalar>(value).map(String), requestValues(context, key)),
    );
  });
}

// NotAction / NotResource match everything except what they list; the statement's Effect then applies to that.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
function applies(s: PolicyStatement, request: AuthorizationRequest): boolean {
  const action =
    s.Action !== undefined
      ? list(s.Action).some((p) => actionMatches(p, request.action))
      : !list(s.NotAction).some((p) => actionMatches(p, request.action));
  const resource =
    s.Resource !== undefined
      ? list(s.Resource).some((p) => resourceMatches(p, request.resource))
      : !list(s.NotResource).some((p) => resourceMatches(p, request.resource));
  return action && resource && conditionsHold(s.Condition, request.context);
}

/** Identity policies of one principal, one account: any applicable Deny wins, else any Allow, else deny. */
export function evaluate(policies: readonly PolicyDocument[], request: AuthorizationRequest): Decision {
  policies.forEach(assertSupported);
  const applicable = policies.flatMap((p) => list(p.Statement)).filter((s) => applies(s, request));
  // An explicit Deny "trumps" any Allow; with neither, the request is implicitly denied.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_AccessPolicyLanguage_Interplay.html
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
  const deny = applicable.find((s) => s.Effect === 'Deny');
  if (deny !== undefined) return { allowed: false, reason: 'explicit-deny', statement: deny };
  const allow = applicable.find((s) => s.Effect === 'Allow');
  return allow !== undefined ? { allowed: true, statement: allow } : { allowed: false, reason: 'no-allow' };
}

const STATEMENT_ELEMENTS = new Set([
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);

/** Throws on a policy element or condition operator this evaluator does not model, naming it (so a simulation never silently mis-evaluates). */
export function assertSupported(policy: PolicyDocument): void {
  if (policy.Version !== undefined && policy.Version !== '2012-10-17' && policy.Version !== '2008-10-17') {
    throw unsupported(`policy Version "${policy.Version}"`);
  }
  for (const s of list(policy.Statement)) {
    // Principal/NotPrincipal belong to resource-based policies; this evaluator only models identity policies.
    const element = Object.keys(s).find((k) => !STATEMENT_ELEMENTS.has(k));
    if (element !== undefined) throw unsupported(`policy element "${element}"`);
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw unsupported(`Effect "${String(s.Effect)}"`);
    // "Statements must include either an Action or NotAction element" (and likewise Resource/NotResource).
    if ((s.Action === undefined) === (s.NotAction === undefined)) {
      throw unsupported('a statement without exactly one of Action and NotAction');
    }
    if ((s.Resource === undefined) === (s.NotResource === undefined)) {
      throw unsupported('a statement without exactly one of Resource and NotResource');
    }
    for (const action of [...list(s.Action), ...list(s.NotAction)]) {
      if (action !== '*' && !action.includes(':'))
        throw unsupported(`Action "${action}" (no service prefix)`);
    }
    for (const resource of [...list(s.Resource), ...list(s.NotResource)]) {
      // Policy variables are substituted from the request; this evaluator does not resolve them.
      // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
      if (resource.includes('${')) throw unsupported(`policy variable in Resource "${resource}"`);
      // "You can't use a wildcard in the service segment"
      // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
      if (/[*?]/.test(resource.split(':')[2] ?? ''))
        throw unsupported(`wildcard service segment in "${resource}"`);
    }
    for (const [name, keys] of Object.entries(s.Condition ?? {})) {
      const op = parseOperator(name);
      for (const [key, value] of Object.entries(keys)) {
        for (const v of list<Scalar>(value).map(String)) checkConditionValue(op, key, v);
      }
    }
  }
}

function checkConditionValue(op: ParsedOperator, key: string, value: string): void {
  const where = `${op.name} "${key}": "${value}"`;
  if (value.includes('${')) throw unsupported(`policy variable in condition ${where}`);
  const base = op.name.slice(op.name.indexOf(':') + 1);
  if ((base.startsWith('Bool') || base === 'Null') && !/^(true|false)$/i.test(value)) {
    throw unsupported(`non-boolean value in ${where}`);
  }
  if (base.startsWith('Numeric') && (value.trim() === '' || !Number.isFinite(Number(value)))) {
    throw unsupported(`non-numeric value in ${where}`);
  }
  if (base.startsWith('Arn') && arnComponents(value) === undefined)
    throw unsupported(`non-ARN value in ${where}`);
}
