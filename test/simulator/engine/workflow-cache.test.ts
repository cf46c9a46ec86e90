import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultEnvironment } from '../../../simulator/account/environment';
import { ROOT } from '../../../infra/build-cache';
import { LocalStepFunctions } from '../../../simulator/engine/step-functions-service';
import { synthesizeWorkflow, type SynthesizedWorkflow } from '../../../simulator/engine/synthesize';
import { workflowKey, workflowSources } from '../../../simulator/engine/workflow-cache';
import { simulatedDeployment } from '../../support/simulated-deployment';

const environment = defaultEnvironment();
const deployment = simulatedDeployment(environment);

const MODULE = '../../../simulator/engine/workflow-cache';

/** `cachedWorkflow` in a fresh module registry: nothing in memory, so what it returns comes from disk. */
function cachedInFreshRegistry(): SynthesizedWorkflow {
  let workflow: SynthesizedWorkflow | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh copy of the module
    const fresh: typeof import('../../../simulator/engine/workflow-cache') = require(MODULE);
    workflow = fresh.cachedWorkflow(deployment, environment.region, environment.accountId);
  });
  if (!workflow) throw new Error('no workflow');
  return workflow;
}

/** The project modules `file` imports at run time (type-only imports left out), resolved to files. */
function runtimeImports(file: string): string[] {
  const source = fs.readFileSync(file, 'utf8');
  const specifiers = [
    ...source.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^;]*?\sfrom\s+)?'(\.{1,2}\/[^']+)'/gms),
    ...source.matchAll(/require\('(\.{1,2}\/[^']+)'\)/g),
  ].map((match) => match[1]);
  return specifiers.map((specifier) => {
    const base = path.resolve(path.dirname(file), specifier);
    const candidates = [`${base}.ts`, path.join(base, 'index.ts'), base];
    const found = candidates.find((candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile());
    if (!found) throw new Error(`${file}: cannot resolve ${specifier}`);
    return found;
  });
}

describe('the workflow cache', () => {
  it('reads back from disk exactly the workflow synthesis produces', () => {
    const synthesized = synthesizeWorkflow(deployment, environment.region, environment.accountId);
    cachedInFreshRegistry(); // written now if it was not cached yet
    const fromDisk = cachedInFreshRegistry();
    expect(fromDisk).not.toBe(synthesized);
    expect(fromDisk).toEqual(synthesized);
    expect(fromDisk.principals).toBeInstanceOf(Map);
    expect(fromDisk.stepByState).toBeInstanceOf(Map);
  }, 60_000);

  it('keys every source synthesis imports at run time, and what synthesis is asked for', () => {
    const sources = new Set(workflowSources());
    const seen = new Set<string>();
    const pending = [path.join(ROOT, 'simulator', 'engine', 'synthesize.ts')];
    while (pending.length > 0) {
      const file = pending.pop() as string;
      if (seen.has(file)) continue;
      seen.add(file);
      pending.push(...runtimeImports(file));
    }
    expect([...seen].filter((file) => !sources.has(file))).toEqual([]);
    expect(seen.size).toBeGreaterThan(10);
    expect(sources).toContain(path.join(ROOT, 'package-lock.json'));

    const key = workflowKey(deployment, environment.region, environment.accountId);
    expect(workflowKey({ ...deployment }, environment.region, environment.accountId)).toBe(key);
    expect(
      workflowKey(
        { ...deployment, monitoring: { ...deployment.monitoring, rollbackWindowMinutes: 61 } },
        environment.region,
        environment.accountId,
      ),
    ).not.toBe(key);
    expect(workflowKey(deployment, 'eu-west-1', environment.accountId)).not.toBe(key);
    expect(workflowKey(deployment, environment.region, '210987654321')).not.toBe(key);
  });

  it('leaves validation to the engine: an invalid definition is still refused', () => {
    const invalid: SynthesizedWorkflow = {
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:invalid',
      notificationTopicArn: 'arn:aws:sns:us-east-1:123456789012:topic',
      principals: new Map(),
      stepByState: new Map(),
      asl: { StartAt: 'No such state', States: { Done: { Type: 'Succeed' } } },
    };
    expect(() => new LocalStepFunctions(invalid, {} as never, { elapsedSeconds: () => 0 })).toThrow(
      /definition is invalid/,
    );
  });
});
