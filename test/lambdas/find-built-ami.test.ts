import { handler } from '../../lambdas/find-built-ami/handler';
import { DEFAULT_AMIS } from '../../simulator/account/environment';
import { createHarness, denying, type Harness } from '../support/account';

/** Finding the AMI an EC2 Image Builder image built (docs/design.md#ec2-image-builder), against the simulated account. */
let h: Harness;
afterEach(() => h.dispose());

const PIPELINE = 'arn:aws:imagebuilder:us-east-1:123456789012:image-pipeline/webapp';
const IMAGE = 'arn:aws:imagebuilder:us-east-1:123456789012:image/webapp/1.1.0/1';
const execution = {
  id: 'arn:aws:states:us-east-1:123456789012:execution:webapp-blue-green-deployment:run-1',
  name: 'run-1',
  stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:webapp-blue-green-deployment',
  startTime: '2025-01-01T10:00:00.000Z',
};

/** An account with one image of `pipelineArn`, built from the new AMI, AVAILABLE after `availableAfterSeconds`. */
function imageOf(pipelineArn: string | undefined, availableAfterSeconds = 0): void {
  h = createHarness({
    customize: (env) => {
      env.imageBuilderImages = [{ arn: IMAGE, pipelineArn, amiId: DEFAULT_AMIS.next, availableAfterSeconds }];
    },
  });
}
const find = (imageBuildVersionArn = IMAGE) =>
  handler({ imageBuildVersionArn, imageBuilder: { pipelineArns: [PIPELINE] }, execution });

describe('find-built-ami', () => {
  it("names the AMI a configured pipeline's AVAILABLE image distributed to this account and Region", async () => {
    imageOf(PIPELINE);
    await expect(find()).resolves.toEqual({
      amiId: DEFAULT_AMIS.next,
      reason: `image ${IMAGE} of pipeline ${PIPELINE} built ${DEFAULT_AMIS.next} in us-east-1`,
    });
    expect(h.changes()).toEqual([]);
  });

  it("skips another pipeline's image, naming the pipeline and the setting", async () => {
    imageOf('arn:aws:imagebuilder:us-east-1:123456789012:image-pipeline/other-app');
    await expect(find()).resolves.toEqual({
      amiId: null,
      reason: expect.stringMatching(
        /was built by pipeline arn:aws:imagebuilder:us-east-1:123456789012:image-pipeline\/other-app, not by one this application deploys \(imageBuilder.pipelineArns\)$/,
      ),
    });
  });

  it('skips a one-off build (no pipeline)', async () => {
    imageOf(undefined);
    await expect(find()).resolves.toMatchObject({
      amiId: null,
      reason: expect.stringContaining('no pipeline'),
    });
  });

  it('skips an image that is not AVAILABLE (events are best effort: one may come late or out of order)', async () => {
    imageOf(PIPELINE, 3_600);
    await expect(find()).resolves.toMatchObject({
      amiId: null,
      reason: expect.stringMatching(/is (BUILDING|TESTING), not AVAILABLE$/),
    });
  });

  it('an image that does not exist is an AWS error naming GetImage (the execution is rejected)', async () => {
    imageOf(PIPELINE);
    await expect(find(IMAGE.replace('/1.1.0/1', '/9.9.9/1'))).rejects.toMatchObject({
      name: 'AwsRequestError',
      message: expect.stringContaining('GetImage'),
    });
  });

  it('a GetImage its role does not allow is an AwsRequestError naming the call', async () => {
    imageOf(PIPELINE);
    await expect(denying(['imagebuilder:GetImage'], () => find())).rejects.toMatchObject({
      name: 'AwsRequestError',
      message: expect.stringContaining('GetImage'),
    });
  });
});
