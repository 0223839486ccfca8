/** Models the speed benches share, built as peer_torch.py builds its own. */
import * as tf from '@tensorflow/tfjs';

/** The MNIST-style CNN of peer_torch.py: conv 3×3×32, 2×2 max pool, dense 100, softmax 10. */
export function mnistCnn(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 100, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return model;
}
