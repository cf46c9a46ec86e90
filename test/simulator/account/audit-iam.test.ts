/**
 * IAM GetInstanceProfile against its API reference page (docs/aws-facts/
 * iam-authorization.md#operations-audited-against-their-api-reference).
 */
import { GetInstanceProfileCommand, IAMClient } from '@aws-sdk/client-iam';
import { createHarness, rejection, type Harness } from './harness';

const iam = new IAMClient({ region: 'us-east-1' });
let h: Harness;
beforeEach(() => {
  h = createHarness();
});
afterEach(() => h.dispose());

const get = (name: string) => iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name }));

describe('IAM GetInstanceProfile, as its API reference page says', () => {
  it.each(['', 'a'.repeat(129), 'web app', 'web/app'])(
    'refuses the name %j with ValidationError',
    async (name) => {
      expect((await rejection(get(name))).name).toBe('ValidationError');
    },
  );

  it('names a well-formed profile that does not exist NoSuchEntity, and answers one that does', async () => {
    expect((await rejection(get('no+such=profile,.@-_1'))).name).toBe('NoSuchEntityException');
    const [profile] = h.environment.instanceProfiles ?? [];
    const answer = await get(profile?.name ?? '');
    expect(answer.InstanceProfile?.Roles?.[0]?.Arn).toBe(profile?.roleArn);
  });
});
