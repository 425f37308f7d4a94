import type { RgbImage } from '../image/decode.js';
import type { Runtime } from './tf.js';

type Tensor3D = ReturnType<Runtime['tf']['tensor3d']>;

/**
 * An image whose pixels may already be on the backend. validatePhoto uploads a photo once and lends
 * the tensor to detection, segmentation and the mesh: three 480×640 uploads would allocate three
 * 3.7 MB int32 copies per photo and keep the garbage collector busy.
 */
export interface PixelSource extends RgbImage {
  tensor?: Tensor3D;
}

export function uploadPixels(rt: Runtime, image: RgbImage): Tensor3D {
  return rt.tf.tensor3d(new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength), [image.height, image.width, 3], 'int32');
}

/** Runs `use` with the image's pixels as an int32 [height, width, 3] tensor; a tensor it had to make is disposed after. */
export async function withPixels<T>(rt: Runtime, image: PixelSource, use: (pixels: Tensor3D) => Promise<T>): Promise<T> {
  if (image.tensor) return use(image.tensor);
  const pixels = uploadPixels(rt, image);
  try {
    return await use(pixels);
  } finally {
    pixels.dispose();
  }
}
