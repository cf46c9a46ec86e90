import { ref, toAslPayload, type Payload } from '../../state-machine/payload';
import type { StepInput } from '../../state-machine/step-registry';
import type { OneStep } from '../../state-machine/tasks';

describe('a Task payload', () => {
  it('writes a reference as the field’s `.$` key, at any depth, and values as they are', () => {
    const payload: Payload<StepInput<'launch-new-version'>> = {
      groupName: ref('$.roles.standby.groupName'),
      amiId: 'ami-0123456789abcdef0',
      capacity: { min: 1, desired: ref('$.roles.targetCapacity.desired'), max: 4 },
      execution: ref('$.execution'),
      roles: ref('$.roles'),
    };
    expect(toAslPayload(payload)).toEqual({
      'groupName.$': '$.roles.standby.groupName',
      amiId: 'ami-0123456789abcdef0',
      capacity: { min: 1, 'desired.$': '$.roles.targetCapacity.desired', max: 4 },
      'execution.$': '$.execution',
      'roles.$': '$.roles',
    });
  });

  it('takes one step by name: a union of steps would check the payload against one input only', () => {
    const either = 'scale-group-to-zero' as 'scale-group-to-zero' | 'check-targets-healthy';
    // @ts-expect-error a union of step names does not compile
    const checked: OneStep<typeof either> = either;
    expect(checked).toBe('scale-group-to-zero');
  });

  it('keeps arrays as they are (ASL resolves no `.$` inside them)', () => {
    const arns = ['arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/main/0123456789abcdef'];
    const payload: Payload<StepInput<'detach-target-groups'>> = { groupName: 'blue', targetGroupArns: arns };
    expect(toAslPayload(payload)).toEqual({ groupName: 'blue', targetGroupArns: arns });
  });

  it('is checked against the handler’s input schema when it is compiled', () => {
    const checked: Payload<StepInput<'scale-group-to-zero'>>[] = [
      { groupName: ref('$.roles.standby.groupName') },
      // @ts-expect-error a misspelled field fails to compile
      { groupname: ref('$.roles.standby.groupName') },
      // @ts-expect-error a missing field fails to compile
      {},
      // @ts-expect-error a value of the wrong type fails to compile
      { groupName: 42 },
      // @ts-expect-error a path that names nothing in the state fails to compile
      { groupName: ref('$.roles.standbi.groupName') },
      // @ts-expect-error a path to a value of another type fails to compile
      { groupName: ref('$.roles.targetCapacity') },
      // A context-object path is checked too.
      { groupName: ref('$$.Execution.Name') },
    ];
    expect(checked).toHaveLength(7);
  });
});
