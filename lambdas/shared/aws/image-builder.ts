import { GetImageCommand, ImagebuilderClient, type Image } from '@aws-sdk/client-imagebuilder';
import { callAws, CLIENT_CONFIG } from './call';

export const imageBuilder = new ImagebuilderClient(CLIENT_CONFIG);

/** An image build version, as GetImage answers it (docs/aws-facts/image-builder.md#getimage). */
export async function getImage(imageBuildVersionArn: string): Promise<Image> {
  const answer = await callAws('GetImage', () =>
    imageBuilder.send(new GetImageCommand({ imageBuildVersionArn })),
  );
  return answer.image ?? {};
}
