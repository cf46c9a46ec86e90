import type { CfnTemplate } from '../../simulator/engine/resolve-definition';
import { resolveDefinition } from '../../simulator/engine/resolve-definition';
import { synthExample } from '../support/synth';

const template = synthExample().template.toJSON() as CfnTemplate;
const asl = resolveDefinition(template, {
  region: 'us-east-1',
  accountId: '123456789012',
  getAtt: (logicalId, attribute) => (attribute === 'Arn' ? `function:${logicalId}` : undefined),
});

interface TaskState {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: number;
  Branches?: { States: Record<string, TaskState> }[];
}

function tasks(states: Record<string, TaskState>): [string, TaskState][] {
  return Object.entries(states).flatMap(([name, state]) => [
    ...(state.Type === 'Task' ? [[name, state] as [string, TaskState]] : []),
    ...(state.Branches ?? []).flatMap((branch) => tasks(branch.States)),
  ]);
}

describe('Task timeouts', () => {
  // A Task that times out with its function reports States.Timeout, which names no cause; the function's own
  // timeout is the one that says which step ran out of time. The fleet steps' Tasks once equalled it (300 s).
  it.each(tasks(asl.States as Record<string, TaskState>))(
    '%s waits longer than its function may run',
    (_name, state) => {
      const logicalId = (state.Resource ?? '').replace(/^function:/, '');
      const fn = template.Resources[logicalId];
      expect(fn?.Type).toBe('AWS::Lambda::Function');
      expect(state.TimeoutSeconds).toBeGreaterThan(fn?.Properties?.Timeout as number);
    },
  );
});
