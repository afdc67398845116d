/**
 * MobileNet v1 at width multiplier 0.5 and 128×128 input (Howard et al.'s
 * smallest common configuration), the zoo's mobilenet_v1 layer for layer
 * (same names, channels halved, input 128), written as a shapes-only ONNX
 * file for `dnnergy chips --network examples/mobilenet_v1_0.5_128.onnx`.
 * Why: the JETCAS'19 figures imply Eyeriss v1 at 1470.6 / 12.6 = 117
 * inferences/s on the paper's MobileNet, which the full 1.0-224 network
 * (569 M MACs) cannot reach on v1's 168 MACs at 200 MHz (33.6 G MAC/s peak:
 * at most 59 inferences/s, and v1's gating saves no time), so the paper's
 * MobileNet is a smaller one; this is the size test (docs/chips.md).
 * `npx tsx examples/mobilenet-0.5-128.mts`.
 */
import { writeFileSync } from 'node:fs';
import { layerMacs, NetworkBuilder } from '../src/network/network.js';
import { zooNetwork } from '../src/network/zoo.js';
import { exportSequentialOnnx } from '../src/network/onnx/export.js';

const ALPHA = 0.5, SIZE = 128;
const b = new NetworkBuilder('mobilenet_v1_0.5_128', [3, SIZE, SIZE]);
b.conv('conv0', 32 * ALPHA, 3, 2, 1);
const cfg: [number, number][] = [[64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2], [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1]];
cfg.forEach(([out, s], i) => {
  b.conv(`conv${i + 1}_dw`, b.c, 3, s, 1, b.c);
  b.conv(`conv${i + 1}_pw`, out * ALPHA, 1);
});
b.globalPool('avgpool').fc('fc', 1000);
const net = b.build();
writeFileSync('examples/mobilenet_v1_0.5_128.onnx', exportSequentialOnnx(net));
const macs = (n: typeof net) => n.layers.reduce((t, l) => t + (l.kind === 'other' ? 0 : layerMacs(l)), 0);
process.stdout.write(`examples/mobilenet_v1_0.5_128.onnx: ${net.layers.length} layers, ${(macs(net) / 1e6).toFixed(1)} M MACs (mobilenet_v1: ${(macs(zooNetwork('mobilenet_v1')!) / 1e6).toFixed(1)} M)\n`);
