/**
 * Least privilege, measured: removes each action each step's role grants, one at a time, and runs every
 * scenario on the synthesized definition with the reduced role. A grant whose removal no scenario notices
 * is either more than the step needs or a sign that a scenario is missing. `npm run check:permissions`.
 */
import './node-warnings'; // first: silences the SDK's Node-version notice before any client exists
import '../simulator/engine/polyfills';
import type { PolicyDocument, PolicyStatement } from '../simulator/account/iam/policy-evaluation';
import type { Principal } from '../simulator/account/iam/principal';
import { passed, simulate, type SimulationReport } from '../simulator/engine/simulation';
import { SCENARIOS } from '../simulator/scenarios/catalog';
import type { StepName } from '../state-machine/step-registry';

interface Grant {
  step: StepName;
  statement: number;
  action: string;
}

const asList = <T>(value: T | readonly T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? [...value] : [value as T];

/**
 * Granted for the Lambda service itself (X-Ray tracing), not for calls a step makes: the simulation cannot
 * notice them missing, so they are listed apart.
 */
const SERVICE_GRANTS = /^xray:/;

function grantsOf(principals: ReadonlyMap<StepName, Principal>): Grant[] {
  const grants: Grant[] = [];
  for (const [step, principal] of principals) {
    principal.policies.forEach((policy) =>
      asList(policy.Statement).forEach((statement, index) => {
        if (statement.Effect !== 'Allow') return;
        for (const action of asList(statement.Action)) {
          if (!SERVICE_GRANTS.test(action)) grants.push({ step, statement: index, action });
        }
      }),
    );
  }
  return grants;
}

/** The roles with one action taken out of one statement (in every policy of the step that has it). */
function without(grant: Grant) {
  return (principals: ReadonlyMap<StepName, Principal>): ReadonlyMap<StepName, Principal> => {
    const reduced = new Map(principals);
    const principal = principals.get(grant.step);
    if (!principal) return reduced;
    const policies: PolicyDocument[] = principal.policies.map((policy) => ({
      ...policy,
      Statement: asList(policy.Statement).flatMap((statement, index): PolicyStatement[] => {
        if (index !== grant.statement) return [statement];
        const actions = asList(statement.Action).filter((action) => action !== grant.action);
        return actions.length > 0 ? [{ ...statement, Action: actions }] : [];
      }),
    }));
    reduced.set(grant.step, { ...principal, policies });
    return reduced;
  };
}

async function firstScenarioNoticing(grant: Grant): Promise<string | undefined> {
  for (const scenario of SCENARIOS) {
    const report: SimulationReport = await simulate(
      { scenario: scenario.name, seed: 1 },
      { grants: without(grant) },
    );
    if (!passed(report)) return scenario.name;
  }
  return undefined;
}

async function main(): Promise<void> {
  const started = performance.now();
  let principals: ReadonlyMap<StepName, Principal> | undefined;
  const baseline = await simulate(
    { scenario: 'happy', seed: 1 },
    { grants: (synthesized) => (principals = synthesized) },
  );
  if (!passed(baseline) || !principals) throw new Error('the happy scenario fails with the full roles');
  const grants = grantsOf(principals);
  const unnoticed: Grant[] = [];
  for (const grant of grants) {
    const noticedBy = await firstScenarioNoticing(grant);
    const label = `${grant.step}: ${grant.action} (statement ${grant.statement})`;
    console.log(noticedBy ? `  needed   ${label} — without it "${noticedBy}" fails` : `  UNUSED?  ${label}`);
    if (!noticedBy) unnoticed.push(grant);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  console.log(
    `\n${grants.length} granted actions across ${principals.size} steps; ${grants.length - unnoticed.length} needed by at least one of ${SCENARIOS.length} scenarios, ${unnoticed.length} noticed by none (${seconds} s).`,
  );
  process.exitCode = unnoticed.length > 0 ? 1 : 0;
}

void main();
