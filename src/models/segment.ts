import { useGraphModel } from './registry.js';
import { type PixelSource, withPixels } from './pixels.js';

/** Person probability 0–1 per pixel, row-major, at the size of the image passed in. */
export interface PersonMask {
  data: Float32Array;
  width: number;
  height: number;
}

const INPUT_SIZE = 256;

/**
 * Person segmentation with MediaPipe Selfie (models/selfie): the photo is stretched to 256×256,
 * as the model was trained, and the probability map is resized back with bilinear interpolation.
 */
export async function segmentPerson(image: PixelSource): Promise<PersonMask> {
  const { rt, model } = await useGraphModel('selfie');
  const { tf } = rt;
  return withPixels(rt, image, async (pixels) => {
    const output = tf.tidy(() => {
      const resized = tf.image.resizeBilinear(tf.cast(tf.expandDims(pixels, 0), 'float32') as never, [INPUT_SIZE, INPUT_SIZE]);
      const prediction = model.execute(tf.div(resized, 255)) as ReturnType<typeof tf.tensor4d>;
      return tf.squeeze(tf.image.resizeBilinear(prediction, [image.height, image.width]));
    });
    try {
      const data = (await output.data()) as Float32Array;
      return { data, width: image.width, height: image.height };
    } finally {
      output.dispose();
    }
  });
}
