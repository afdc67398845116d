/**
 * ViT-B/16's encoder (Dosovitskiy et al.; 224×224 image: 196 patches + the
 * class token = 197 tokens, width 768, 12 heads of 64, MLP 3072, 12 layers)
 * as a sequential shapes-only ONNX file for `dnnergy analyze`: each matrix
 * product is a 1×1 convolution over a 197×1 "image" of tokens, as the
 * single-layer files beside it are. Query, key, value and output
 * projections are separate 768→768 products (as in the reference
 * implementations); attention per head is a grouped convolution, 12 groups:
 * Q·Kᵀ 64→197 per token, A·V 197→64. Left out: the patch embedding
 * (a 16×16 stride-16 convolution on the image, 0.6% of the MACs) and the
 * classifier, which a token chain cannot join; softmax, norms and adds.
 * `npx tsx examples/vit/vit-b16.mts`.
 */
import { writeFileSync } from 'node:fs';
import { layerMacs, NetworkBuilder } from '../../src/network/network.js';
import { exportSequentialOnnx } from '../../src/network/onnx/export.js';

const TOKENS = 197, WIDTH = 768, HEADS = 12, MLP = 3072, LAYERS = 12;
const b = new NetworkBuilder('vit_b16_encoder', [WIDTH, TOKENS, 1]);
for (let i = 0; i < LAYERS; i++) {
  b.conv(`enc${i}.query`, WIDTH, 1).conv(`enc${i}.key`, WIDTH, 1).conv(`enc${i}.value`, WIDTH, 1);
  b.conv(`enc${i}.attn_qk`, HEADS * TOKENS, 1, 1, 0, HEADS).conv(`enc${i}.attn_av`, WIDTH, 1, 1, 0, HEADS);
  b.conv(`enc${i}.proj`, WIDTH, 1).conv(`enc${i}.mlp_up`, MLP, 1).conv(`enc${i}.mlp_down`, WIDTH, 1);
}
const net = b.build();
writeFileSync('examples/vit/vit-b16-encoder.onnx', exportSequentialOnnx(net));
const macs = net.layers.reduce((t, l) => t + (l.kind === 'other' ? 0 : layerMacs(l)), 0);
process.stdout.write(`examples/vit/vit-b16-encoder.onnx: ${net.layers.length} layers, ${(macs / 1e9).toFixed(3)} G MACs\n`);
