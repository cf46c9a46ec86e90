/**
 * What a rule's target is sent for an event, as "Amazon EventBridge input transformation" (user guide) and
 * the API reference's Target and InputTransformer document it: the whole event, a constant `Input`, the
 * part of the event an `InputPath` selects, or an `InputTransformer`'s template filled from the event.
 * docs/aws-facts/eventbridge.md#target-input lists the rules and what is UNCONFIRMED.
 */

export interface InputTransformer {
  readonly inputPathsMap?: Readonly<Record<string, string>>;
  readonly inputTemplate: string;
}

/** How a target's input is built (the API's Target: Input, InputPath and InputTransformer are exclusive). */
export interface TargetInputSpec {
  readonly input?: string;
  readonly inputPath?: string;
  readonly inputTransformer?: InputTransformer;
}

/** What the predefined variables stand for (the rule the event matched, and when the bus received it). */
export interface RuleContext {
  readonly ruleArn: string;
  readonly ruleName: string;
  readonly ingestionTime: string;
}

/** The target input could not be built: the event is not delivered (recorded as a failed delivery). */
export class TargetInputError extends Error {
  override readonly name = 'TargetInputError';
}

const unsupported = (what: string): Error =>
  new Error(`The simulated EventBridge does not model ${what} in target input`);

/** Throws, when the rule is given, on what the simulation does not model. */
export function validateInputSpec(spec: TargetInputSpec): void {
  const given = [spec.input, spec.inputPath, spec.inputTransformer].filter((item) => item !== undefined);
  if (given.length > 1)
    throw new Error('A target takes at most one of Input, InputPath and InputTransformer');
  if (spec.inputPath !== undefined) parsePath(spec.inputPath);
  for (const [name, path] of Object.entries(spec.inputTransformer?.inputPathsMap ?? {})) {
    // "These variables are reserved, and you can't create variables with these names."
    if (name.startsWith('aws.events.')) throw new Error(`InputPathsMap: ${name} is a reserved variable`);
    parsePath(path);
  }
  if (spec.inputTransformer?.inputTemplate.includes('<aws.events.event>')) {
    // The page's versions disagree on what it holds (a copy of the event, or the event without `detail`).
    throw unsupported('the predefined variable aws.events.event');
  }
}

/** The text the target receives for this event. */
export function targetInput(
  spec: TargetInputSpec,
  event: Record<string, unknown>,
  rule: RuleContext,
): string {
  if (spec.input !== undefined) return spec.input;
  if (spec.inputPath !== undefined) {
    const selected = select(event, parsePath(spec.inputPath));
    // UNCONFIRMED: what EventBridge sends when the path selects nothing.
    if (selected === undefined) throw new TargetInputError(`InputPath ${spec.inputPath} selects nothing`);
    return JSON.stringify(selected);
  }
  if (spec.inputTransformer) return transform(spec.inputTransformer, event, rule);
  // A target without input settings is sent the event itself.
  return JSON.stringify(event);
}

function transform(transformer: InputTransformer, event: Record<string, unknown>, rule: RuleContext): string {
  const variables = new Map<string, unknown>([
    ['aws.events.rule-arn', rule.ruleArn],
    ['aws.events.rule-name', rule.ruleName],
    ['aws.events.event.ingestion-time', rule.ingestionTime],
    ['aws.events.event.json', event],
  ]);
  // "If you specify a variable to match a JSON path that doesn't exist in the event, that variable isn't
  // created and won't appear in the output": its placeholder is left out (UNCONFIRMED: left out as empty text).
  const missing = new Set<string>();
  for (const [name, path] of Object.entries(transformer.inputPathsMap ?? {})) {
    const value = select(event, parsePath(path));
    if (value === undefined) missing.add(name);
    else variables.set(name, value);
  }
  const template = transformer.inputTemplate;
  // InputTransformer (API reference): "If InputTemplate is a JSON object (surrounded by curly braces)".
  const json = template.trim().startsWith('{');
  let output = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const ch = template.charAt(i);
    if (ch === '\\' && inString) {
      output += ch + template.charAt(i + 1);
      i++;
      continue;
    }
    if (ch === '"') inString = !inString;
    const close = ch === '<' ? template.indexOf('>', i) : -1;
    const name = close > i ? template.slice(i + 1, close) : undefined;
    if (name !== undefined && (variables.has(name) || missing.has(name))) {
      output += placeholder(variables.get(name), json && !inString);
      i = close;
      continue;
    }
    output += ch;
  }
  if (!json) return output;
  // "The JSON that is passed to the target is minified and escaped."
  try {
    return JSON.stringify(JSON.parse(output));
  } catch {
    // UNCONFIRMED: EventBridge does not validate the template; a target that needs JSON fails to take it.
    throw new TargetInputError(`The input transformer produced text that is not JSON: ${output}`);
  }
}

/**
 * A variable in a JSON template outside quotes becomes a JSON value (a string is quoted: the page's "Simple
 * JSON" example); inside quotes, or in a text template, its text goes in as it is: "EventBridge doesn't
 * escape values extracted by Input Path".
 */
function placeholder(value: unknown, asJsonValue: boolean): string {
  if (value === undefined) return '';
  if (asJsonValue) return JSON.stringify(value);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

type Step = { key: string } | { index: number };

/**
 * The JSON path syntax the page lists as supported, as far as modelled: `$`, dot notation with dashes,
 * underscores and alphanumerics, and array indices. Wildcards are refused.
 */
function parsePath(path: string): Step[] {
  if (!path.startsWith('$')) throw new Error(`JSON path ${path} must start with $`);
  const steps: Step[] = [];
  const pattern = /\.([A-Za-z0-9_-]+)|\[(\d+)\]/gy;
  pattern.lastIndex = 1;
  while (pattern.lastIndex < path.length) {
    const at = pattern.lastIndex;
    const match = pattern.exec(path);
    if (!match) throw unsupported(`the JSON path ${path} (at character ${at})`);
    steps.push(match[1] !== undefined ? { key: match[1] } : { index: Number(match[2]) });
  }
  return steps;
}

function select(value: unknown, steps: Step[]): unknown {
  let current = value;
  for (const step of steps) {
    if ('key' in step) {
      if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
      current = (current as Record<string, unknown>)[step.key];
    } else {
      if (!Array.isArray(current)) return undefined;
      current = current[step.index];
    }
    if (current === undefined) return undefined;
  }
  return current;
}
