import { handler } from '../../lambdas/check-ami-tags/handler';
import { DEFAULT_AMIS } from '../../simulator/account/environment';
import { createHarness, type Harness } from '../support/account';

/** The wait for an AMI event's tags (docs/design.md#late-tags), against the simulated account. */
let h: Harness;
afterEach(() => h.dispose());

const tagsAfter = (seconds: number) =>
  (h = createHarness({ customize: (env) => env.amis.forEach((ami) => (ami.tagsAfterSeconds = seconds)) }));
const check = (startedAt: string | null) =>
  handler({ amiId: DEFAULT_AMIS.next, tagKey: 'Application', wait: { startedAt }, timeoutSeconds: 300 });

describe('check-ami-tags', () => {
  it('is not done while the AMI has no value for the key, and is once the tag comes', async () => {
    tagsAfter(60);
    const first = await check(null);
    expect(first).toMatchObject({ done: false, elapsedSeconds: 0 });
    h.run(60);
    await expect(check(first.startedAt)).resolves.toMatchObject({
      done: true,
      detail: `${DEFAULT_AMIS.next} is tagged Application=webapp`,
    });
    expect(h.changes()).toEqual([]);
  });

  it('is done, not failed, once its time has passed without the tag: the validation then judges the AMI', async () => {
    tagsAfter(86_400);
    const first = await check(null);
    h.run(300);
    await expect(check(first.startedAt)).resolves.toMatchObject({
      done: true,
      elapsedSeconds: 300,
      detail: expect.stringMatching(/still has no tag Application after 300 s/),
    });
  });
});
