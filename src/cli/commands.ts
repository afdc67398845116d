/**
 * The commands, their flags and help. Registering is cheap: each action
 * imports its command's module only when it runs, so `dnnergy model` never
 * loads the mapper's threads, ONNX, tfjs or the progress bar.
 */
import type { Command } from 'commander';
import { builtinArchNames } from '../designs/builtin.js';
import { ISCA16_DATAFLOWS } from '../designs/isca16.js';
import { zooNames } from '../network/zoo.js';
import type { AnalyzeOpts } from './analyze.js';
import type { DataflowsOpts } from './dataflows.js';
import type { EnergyOpts } from './energy.js';
import type { MapOpts } from './map.js';
import type { ModelOpts } from './model.js';
import type { PruneOpts } from './prune.js';
import type { TrainOpts } from './train.js';
import type { WebOpts } from './web.js';

/** Trained models that ship with the project (made by `npm run models`). */
export const SHIPPED_MODELS: readonly string[] = ['lenet5', 'cnn'];

const ARCH_HELP = `a built-in architecture (${builtinArchNames.join(', ')}) or Timeloop v0.3/v0.4 architecture YAML (comma-separated files; its constraints apply to every layer)`;
const ERT_HELP = 'energy reference table for an architecture file (Accelergy ERT YAML)';

/** Add every command to `program`. */
export function registerCommands(program: Command): void {
  program
    .command('model')
    .description('evaluate a mapping: accesses per level and tensor, energy, cycles, utilisation')
    .argument('<inputs...>', 'Timeloop v0.3/v0.4 YAML (architecture, problem, mapping; merged), a .map.txt loop nest, or dnnergy-native YAML')
    .option('--ert <file>', 'energy reference table (Accelergy ERT YAML)')
    .option('--convention <v4|v3>', "counting convention: v4 (Timeloop 2021+) or v3 (2020: counts the first fill of partial sums); default: the input's (v3 for Timeloop v0.2/v0.3 inputs)")
    .option('--jinja <name=value...>', "data for Jinja2 templates in the inputs (timeloopfe's jinja_parse_data), e.g. architecture=eyeriss_like")
    .option('--json', 'print the results JSON (stable keys) instead of a table')
    .option('--out <file>', 'also write the results JSON to this file (atomically)')
    .option('--density <name=d,...>', 'tensor densities by name or role (weight, input, output), e.g. Weights=0.3,Inputs=0.5; they act through the design\'s sparse optimizations')
    .action(async (inputs: string[], opts: ModelOpts) => (await import('./model.js')).runModel(inputs, opts));

  program
    .command('map')
    .description('search for the best mapping (dataflow) of a layer; prints it with its cost, a lower bound and the gap')
    .argument('<inputs...>', 'Timeloop v0.3/v0.4 YAML (architecture, problem, constraints) or dnnergy-native YAML')
    .option('--ert <file>', 'energy reference table (Accelergy ERT YAML)')
    .option('--objective <energy|delay|edp>', "what to minimise (default: the input's mapper metric — EDP if its mapper section names none, as Timeloop — else energy)")
    .option('--seed <n>', 'random seed', '1')
    .option('--threads <n>', 'worker threads (capped at the cores, with a warning; ~35 MB each)', '1')
    .option('--evaluations <n>', 'mappings to evaluate (the budget; same seed and threads, same answer)', '200000')
    .option('--time-limit <s>', 'stop after this many seconds even if the budget is not spent')
    .option('--convention <v4|v3>', "counting convention (default: the input's)")
    .option('--jinja <name=value...>', 'data for Jinja2 templates in the inputs')
    .option('--json', 'print JSON (stable keys, no timings) instead of text')
    .option('--out <file>', 'write the best mapping as Timeloop mapping YAML (dnnergy model reads it)')
    .option('--density <name=d,...>', 'tensor densities by name or role, e.g. Weights=0.3,Inputs=0.5: the mapping found is evaluated under sparsity (the search itself is dense)')
    .action(async (inputs: string[], opts: MapOpts) => (await import('./map.js')).runMap(inputs, opts));

  program
    .command('analyze')
    .description('map and evaluate every layer of a network: per-layer energy by level, cycles, utilisation, DRAM accesses')
    .argument('<network>', `an ONNX file (.onnx) or a zoo network (${zooNames.join(', ')})`)
    .option('--input-shape <shape>', 'ONNX input shapes: CxHxW for the first input, or name=1x3x224x224[,name=...] (any rank, batch included)')
    .option('--dim <name=N,...>', 'sizes of an ONNX model\'s symbolic dimensions, by name')
    .option('--strict', 'refuse ONNX ops dnnergy does not know (default: kept as not modelled when the file gives their shapes, with a warning)')
    .requiredOption('--arch <name|file.yaml>', ARCH_HELP)
    .option('--ert <file>', ERT_HELP)
    .option('--clock <MHz>', 'clock for frames/s (default: the built-in chip\'s, 1000 for files)')
    .option('--batch <n>', 'images per batch', '1')
    .option('--objective <energy|delay|edp>', 'what the mapper minimises per layer', 'edp')
    .option('--evaluations <n>', 'mapper budget per distinct layer shape', '20000')
    .option('--seed <n>', 'mapper seed', '1')
    .option('--threads <n>', 'mapper threads (capped at the cores, with a warning; ~35 MB each)', '1')
    .option('--json', 'print JSON (stable keys) instead of a table')
    .option('--out <file>', 'also write the JSON report to this file (atomically)')
    .option('--html <file>', 'also write an HTML report with stacked bars of energy per layer by level')
    .action(async (name: string, opts: AnalyzeOpts) => (await import('./analyze.js')).runAnalyze(name, opts));

  program
    .command('energy')
    .description("energy per action (ERT) and area (ART) of an architecture's components, estimated from their specs with Accelergy's plug-in tables (no ERT needed)")
    .argument('<arch...>', 'Accelergy v0.3 architecture YAML and compound-component files or folders')
    .option('--json', 'print JSON (stable keys) instead of tables')
    .action(async (paths: string[], opts: EnergyOpts) => (await import('./energy.js')).runEnergy(paths, opts));

  program
    .command('dataflows')
    .description('compare the ISCA 2016 dataflows (RS, WS, OSA, OSB, OSC, NLR) on a network: 256 PEs, same storage area, normalised energy')
    .option('--network <name>', `a zoo network (${zooNames.join(', ')})`, 'alexnet')
    .option('--batch <n>', 'images per batch', '16')
    .option('--objective <energy|delay|edp>', 'what the mapper minimises per layer (EDP keeps the array busy: the paper compares at the same parallelism)', 'edp')
    .option('--evaluations <n>', 'mapper budget per distinct layer shape and dataflow', '20000')
    .option('--seed <n>', 'mapper seed', '1')
    .option('--threads <n>', 'mapper threads (capped at the cores, with a warning; ~35 MB each)', '1')
    .option('--only <list>', `some of the dataflows, comma-separated (${ISCA16_DATAFLOWS.join(',')})`)
    .option('--json', 'print JSON (stable keys) instead of tables')
    .option('--out <file>', 'also write the JSON report to this file (atomically)')
    .option('--html <file>', 'also write an HTML report with the stacked-bar plot')
    .action(async (o: DataflowsOpts) => (await import('./dataflows.js')).runDataflows(o));

  program
    .command('train')
    .description('train a network on MNIST (tfjs, WebAssembly backend) and save it with its test accuracy')
    .requiredOption('--model <lenet5|cnn>', 'the network')
    .option('--epochs <n>', 'passes over the training images', '4')
    .option('--subset <n>', 'train on the first n of the 60,000 training images')
    .option('--batch <n>', 'minibatch size', '64')
    .option('--lr <x>', 'Adam learning rate', '0.001')
    .option('--seed <n>', 'seed for initial weights and shuffling', '1')
    .option('--out <dir>', 'where to write model.json, weights.bin and report.json', 'out/model')
    .option('--json', 'print the report as JSON')
    .action(async (o: TrainOpts) => (await import('./train.js')).runTrain(o));

  program
    .command('prune')
    .description('prune a trained MNIST network, energy-aware (CVPR 2017) or by magnitude, with accuracy measured and energy from the accelerator model')
    .requiredOption('--model <lenet5|cnn|dir>', `a shipped trained model (${SHIPPED_MODELS.join(', ')}) or a directory written by dnnergy train (model.json)`)
    .option('--method <energy-aware|magnitude>', 'pruning method', 'energy-aware')
    .option('--arch <name|file.yaml>', ARCH_HELP, 'eyeriss')
    .option('--ert <file>', ERT_HELP)
    .option('--max-accuracy-drop <points>', 'largest validation-accuracy loss allowed, in percentage points', '1')
    .option('--margin <points>', 'part of the budget kept back from validation decisions, for the noise of a held-out estimate', '0.25')
    .option('--seed <n>', 'seed for fine-tuning order and samples', '1')
    .option('--step-images <n>', 'images per fine-tune after each pruning step', '2000')
    .option('--final-images <n>', 'images of the final fine-tune', '10000')
    .option('--validation-images <n>', 'held-out training images (from 55,000 on) that decide each step', '5000')
    .option('--lr <x>', 'fine-tuning learning rate (Adam)', '0.0005')
    .option('--activation-l1 <x>', 'weight of an L1 penalty on ReLU outputs while fine-tuning: sparser activations, which the chip gates and compresses (0 = off, as in the paper)', '0')
    .option('--first-step <f>', 'fraction of the remaining weights a first step removes', '0.5')
    .option('--min-step <f>', 'smallest step tried before a layer is done', '0.1')
    .option('--evaluations <n>', 'mapper budget per layer shape', '20000')
    .option('--out <dir>', 'write the pruned model (model.json, weights.bin, model.onnx) and report.json here')
    .option('--json', 'print the report as JSON')
    .action(async (o: PruneOpts) => (await import('./prune.js')).runPrune(o));

  program
    .command('web')
    .description('serve the web explorer (built by `npm run web`) on 127.0.0.1 and print its URL')
    .option('--port <n>', 'port (0: any free one)', '8316')
    .action(async (o: WebOpts) => (await import('./web.js')).runWeb(o));
}
