/** The networks the co-design work trains: LeNet-5, a deeper CNN (six convolutions) and a MobileNet-style depthwise-separable network. */
import type * as tfType from '@tensorflow/tfjs';

export type ModelName = 'lenet5' | 'cnn' | 'mobilenet';

/** The names {@link buildModel} knows. */
export const MODEL_NAMES: readonly ModelName[] = ['lenet5', 'cnn', 'mobilenet'];

/** What a model is built for: one image's height, width, channels, and the number of classes (MNIST's by default). */
export interface ModelShape {
  readonly imageShape: readonly [number, number, number];
  readonly classes: number;
}

const MNIST_SHAPE: ModelShape = { imageShape: [28, 28, 1], classes: 10 };

/** LeNet-5 (LeCun et al. 1998) on 28×28 MNIST, ReLU and max pooling. */
export function lenet5(tf: typeof tfType, seed = 1, shape: ModelShape = MNIST_SHAPE): tfType.LayersModel {
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed * 100 + k });
  return tf.sequential({
    name: 'lenet5',
    layers: [
      tf.layers.conv2d({ inputShape: [...shape.imageShape], filters: 6, kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: init(1), name: 'conv1' }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'pool1' }),
      tf.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu', kernelInitializer: init(2), name: 'conv2' }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'pool2' }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ units: 120, activation: 'relu', kernelInitializer: init(3), name: 'fc1' }),
      tf.layers.dense({ units: 84, activation: 'relu', kernelInitializer: init(4), name: 'fc2' }),
      tf.layers.dense({ units: shape.classes, activation: 'softmax', kernelInitializer: init(5), name: 'fc3' }),
    ],
  });
}

/** A deeper CNN: three stages of two 3×3 convolutions, so that layers differ in energy. */
export function cnn(tf: typeof tfType, seed = 1, shape: ModelShape = MNIST_SHAPE): tfType.LayersModel {
  const init = (k: number) => tf.initializers.heNormal({ seed: seed * 100 + k });
  const layers: tfType.layers.Layer[] = [];
  const widths = [16, 32, 64];
  let k = 0;
  widths.forEach((w, i) => {
    for (let j = 1; j <= 2; j++) {
      layers.push(tf.layers.conv2d({ ...(k === 0 ? { inputShape: [...shape.imageShape] } : {}), filters: w, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(++k), name: `conv${i + 1}_${j}` }));
    }
    if (i < widths.length - 1) layers.push(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `pool${i + 1}` }));
  });
  layers.push(tf.layers.globalAveragePooling2d({ name: 'gap' }));
  layers.push(tf.layers.dense({ units: shape.classes, activation: 'softmax', kernelInitializer: init(++k), name: 'fc' }));
  return tf.sequential({ name: 'cnn', layers });
}

/**
 * A MobileNet-style network for small images (Howard et al. 2017, scaled to
 * 28×28): a 3×3 convolution of 16 channels and 2×2 max pooling, then four
 * depthwise-separable blocks (3×3 depthwise + 1×1 pointwise, ReLU after
 * each) of 32, 64, 128, 128 channels with a 2×2 max pooling after the
 * second (a strided depthwise layer with 'same' padding pads unevenly in
 * TensorFlow, which the network model does not), global average pooling and
 * one dense layer. The pointwise layers are where NetAdapt removes filters;
 * each depthwise layer follows its producer's channels.
 */
export function mobilenet(tf: typeof tfType, seed = 1, shape: ModelShape = MNIST_SHAPE): tfType.LayersModel {
  const init = (k: number) => tf.initializers.heNormal({ seed: seed * 100 + k });
  const layers: tfType.layers.Layer[] = [
    tf.layers.conv2d({ inputShape: [...shape.imageShape], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1), name: 'conv0' }),
    tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'pool0' }),
  ];
  const widths = [32, 64, 128, 128];
  widths.forEach((w, i) => {
    layers.push(tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', activation: 'relu', depthwiseInitializer: init(2 * i + 2), name: `dw${i + 1}` }));
    layers.push(tf.layers.conv2d({ filters: w, kernelSize: 1, activation: 'relu', kernelInitializer: init(2 * i + 3), name: `pw${i + 1}` }));
    if (i === 1) layers.push(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'pool1' }));
  });
  layers.push(tf.layers.globalAveragePooling2d({ name: 'gap' }));
  layers.push(tf.layers.dense({ units: shape.classes, activation: 'softmax', kernelInitializer: init(20), name: 'fc' }));
  return tf.sequential({ name: 'mobilenet', layers });
}

/** A model by name, for an image shape and class count (a `Dataset` has both). */
export function buildModel(tf: typeof tfType, name: ModelName, seed = 1, shape: ModelShape = MNIST_SHAPE): tfType.LayersModel {
  return name === 'lenet5' ? lenet5(tf, seed, shape) : name === 'cnn' ? cnn(tf, seed, shape) : mobilenet(tf, seed, shape);
}
