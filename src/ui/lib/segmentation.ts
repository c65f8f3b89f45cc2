/** Re-thresholding a segmentation's normalised map in the view (cheap: one pass over S×S). */
export function thresholdMask(normalised: Float32Array, threshold: number): Uint8Array {
  const mask = new Uint8Array(normalised.length);
  // NaN (a constant map) compares false: all background, as METHOD 5.2's reference
  for (let i = 0; i < normalised.length; i++) mask[i] = normalised[i] > threshold ? 1 : 0;
  return mask;
}
