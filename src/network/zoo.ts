/**
 * The model zoo: layer shapes as published (ImageNet, one image).
 * - AlexNet: Krizhevsky et al. 2012 with its two groups (CONV2, 4, 5), 227×227
 *   input as in the Eyeriss papers.
 * - VGG-16: Simonyan & Zisserman 2015, configuration D.
 * - GoogLeNet: Szegedy et al. 2015, Table 1.
 * - SqueezeNet 1.0: Iandola et al. 2016, Table 1.
 * - ResNet-18 / ResNet-50: He et al. 2016, Table 1, with the stride in the
 *   3×3 convolution of a bottleneck (the torchvision form ONNX exports use).
 * - MobileNet v1 (Howard et al. 2017, Table 1) and v2 (Sandler et al. 2018,
 *   Table 2), width 1.0, 224×224.
 * Branches are edges of the graph: a branch starts `from` a named tensor,
 * and residual adds and inception/fire concatenations are layers joining
 * the branches' tensors.
 */
import { NetworkBuilder, type Network } from './network.js';

function alexnet(): Network {
  const b = new NetworkBuilder('alexnet', [3, 227, 227]);
  b.conv('conv1', 96, 11, 4).pool('pool1', 'maxpool', 3, 2);
  b.conv('conv2', 256, 5, 1, 2, 2).pool('pool2', 'maxpool', 3, 2);
  b.conv('conv3', 384, 3, 1, 1).conv('conv4', 384, 3, 1, 1, 2).conv('conv5', 256, 3, 1, 1, 2).pool('pool5', 'maxpool', 3, 2);
  b.fc('fc6', 4096).fc('fc7', 4096).fc('fc8', 1000);
  return b.build();
}

function vgg16(): Network {
  const b = new NetworkBuilder('vgg16', [3, 224, 224]);
  const stages: [number, number][] = [[64, 2], [128, 2], [256, 3], [512, 3], [512, 3]];
  stages.forEach(([c, n], i) => {
    for (let j = 1; j <= n; j++) b.conv(`conv${i + 1}_${j}`, c, 3, 1, 1);
    b.pool(`pool${i + 1}`, 'maxpool', 2, 2);
  });
  b.fc('fc6', 4096).fc('fc7', 4096).fc('fc8', 1000);
  return b.build();
}

function googlenet(): Network {
  const b = new NetworkBuilder('googlenet', [3, 224, 224]);
  b.conv('conv1/7x7_s2', 64, 7, 2, 3).pool('pool1/3x3_s2', 'maxpool', 3, 2, 0, true);
  b.conv('conv2/3x3_reduce', 64, 1).conv('conv2/3x3', 192, 3, 1, 1).pool('pool2/3x3_s2', 'maxpool', 3, 2, 0, true);
  const inception = (name: string, c1: number, c3r: number, c3: number, c5r: number, c5: number, pp: number) => {
    const input = b.tensor;
    const one = b.conv(`${name}/1x1`, c1, 1).tensor;
    const three = b.from(input).conv(`${name}/3x3_reduce`, c3r, 1).conv(`${name}/3x3`, c3, 3, 1, 1).tensor;
    const five = b.from(input).conv(`${name}/5x5_reduce`, c5r, 1).conv(`${name}/5x5`, c5, 5, 1, 2).tensor;
    const proj = b.from(input).pool(`${name}/pool`, 'maxpool', 3, 1, 1).conv(`${name}/pool_proj`, pp, 1).tensor;
    b.concat(`${name}/output`, [one, three, five, proj]);
  };
  inception('inception_3a', 64, 96, 128, 16, 32, 32);
  inception('inception_3b', 128, 128, 192, 32, 96, 64);
  b.pool('pool3/3x3_s2', 'maxpool', 3, 2, 0, true);
  inception('inception_4a', 192, 96, 208, 16, 48, 64);
  inception('inception_4b', 160, 112, 224, 24, 64, 64);
  inception('inception_4c', 128, 128, 256, 24, 64, 64);
  inception('inception_4d', 112, 144, 288, 32, 64, 64);
  inception('inception_4e', 256, 160, 320, 32, 128, 128);
  b.pool('pool4/3x3_s2', 'maxpool', 3, 2, 0, true);
  inception('inception_5a', 256, 160, 320, 32, 128, 128);
  inception('inception_5b', 384, 192, 384, 48, 128, 128);
  b.globalPool('pool5/7x7_s1').fc('loss3/classifier', 1000);
  return b.build();
}

function squeezenet(): Network {
  const b = new NetworkBuilder('squeezenet', [3, 224, 224]);
  b.conv('conv1', 96, 7, 2).pool('maxpool1', 'maxpool', 3, 2, 0, true);
  const fire = (name: string, s: number, e1: number, e3: number) => {
    const sq = b.conv(`${name}/squeeze1x1`, s, 1).tensor;
    const one = b.conv(`${name}/expand1x1`, e1, 1).tensor;
    const three = b.from(sq).conv(`${name}/expand3x3`, e3, 3, 1, 1).tensor;
    b.concat(`${name}/concat`, [one, three]);
  };
  fire('fire2', 16, 64, 64); fire('fire3', 16, 64, 64); fire('fire4', 32, 128, 128);
  b.pool('maxpool4', 'maxpool', 3, 2, 0, true);
  fire('fire5', 32, 128, 128); fire('fire6', 48, 192, 192); fire('fire7', 48, 192, 192); fire('fire8', 64, 256, 256);
  b.pool('maxpool8', 'maxpool', 3, 2, 0, true);
  fire('fire9', 64, 256, 256);
  b.conv('conv10', 1000, 1).globalPool('avgpool10');
  return b.build();
}

function resnet(name: string, depth: 18 | 50): Network {
  const b = new NetworkBuilder(name, [3, 224, 224]);
  b.conv('conv1', 64, 7, 2, 3).pool('maxpool', 'maxpool', 3, 2, 1);
  const blocks = depth === 18 ? [2, 2, 2, 2] : [3, 4, 6, 3];
  const widths = [64, 128, 256, 512];
  blocks.forEach((n, stage) => {
    for (let i = 0; i < n; i++) {
      const p = `layer${stage + 1}.${i}`;
      const stride = i === 0 && stage > 0 ? 2 : 1;
      const input = b.tensor;
      const inC = b.c;
      const w = widths[stage];
      const out = depth === 18 ? w : w * 4;
      if (depth === 18) b.conv(`${p}.conv1`, w, 3, stride, 1).conv(`${p}.conv2`, w, 3, 1, 1);
      else b.conv(`${p}.conv1`, w, 1).conv(`${p}.conv2`, w, 3, stride, 1).conv(`${p}.conv3`, out, 1);
      const main = b.tensor;
      const shortcut = stride !== 1 || inC !== out ? b.from(input).conv(`${p}.downsample`, out, 1, stride).tensor : input;
      b.add(`${p}.add`, [main, shortcut]);
    }
  });
  b.globalPool('avgpool').fc('fc', 1000);
  return b.build();
}

function mobilenetV1(): Network {
  const b = new NetworkBuilder('mobilenet_v1', [3, 224, 224]);
  b.conv('conv0', 32, 3, 2, 1);
  const cfg: [number, number][] = [[64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2], [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1]];
  cfg.forEach(([out, s], i) => {
    b.conv(`conv${i + 1}_dw`, b.c, 3, s, 1, b.c);
    b.conv(`conv${i + 1}_pw`, out, 1);
  });
  b.globalPool('avgpool').fc('fc', 1000);
  return b.build();
}

function mobilenetV2(): Network {
  const b = new NetworkBuilder('mobilenet_v2', [3, 224, 224]);
  b.conv('conv0', 32, 3, 2, 1);
  const cfg: [number, number, number, number][] = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];
  let k = 1;
  for (const [t, c, n, s] of cfg) {
    for (let i = 0; i < n; i++, k++) {
      const input = b.tensor;
      const inC = b.c;
      const stride = i === 0 ? s : 1;
      const hidden = inC * t;
      if (t !== 1) b.conv(`block${k}.expand`, hidden, 1);
      b.conv(`block${k}.dw`, hidden, 3, stride, 1, hidden);
      b.conv(`block${k}.project`, c, 1);
      if (stride === 1 && inC === c) b.add(`block${k}.add`, [b.tensor, input]);
    }
  }
  b.conv('conv_last', 1280, 1).globalPool('avgpool').fc('fc', 1000);
  return b.build();
}

const ZOO: Record<string, () => Network> = {
  alexnet,
  vgg16,
  googlenet,
  squeezenet,
  resnet18: () => resnet('resnet18', 18),
  resnet50: () => resnet('resnet50', 50),
  mobilenet_v1: mobilenetV1,
  mobilenet_v2: mobilenetV2,
};

/** Names of the zoo's networks. */
export const zooNames: readonly string[] = Object.keys(ZOO);

/** A zoo network by name (`vgg-16`, `VGG16`, `mobilenetv2` are accepted), or undefined. */
export function zooNetwork(name: string): Network | undefined {
  const key = name.toLowerCase().replace(/[-\s]/g, '').replace(/^mobilenetv/, 'mobilenet_v');
  const f = ZOO[key] ?? ZOO[key.replace('_', '')];
  return f?.();
}
