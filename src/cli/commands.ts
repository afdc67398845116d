/**
 * The commands, their flags and help. Registering is cheap: each action
 * imports its command's module only when it runs, so `dnnergy model` never
 * loads the mapper's threads, ONNX, tfjs or the progress bar.
 */
import type { Command } from 'commander';
import { builtinArchNames } from '../designs/builtin.js';
import { ISCA16_DATAFLOWS } from '../designs/isca16.js';
import { zooNames } from '../network/zoo.js';
import type { AdaptOpts } from './adapt.js';
import type { AnalyzeOpts } from './analyze.js';
import type { ChipsOpts } from './chips.js';
import type { DataflowsOpts } from './dataflows.js';
import type { EnergyOpts } from './energy.js';
import type { MapOpts } from './map.js';
import type { ModelOpts } from './model.js';
import type { PruneOpts } from './prune.js';
import type { SweepOpts, SweepReportOpts } from './sweep.js';
import type { TrainOpts } from './train.js';
import type { WebOpts } from './web.js';
import type { WorkerOpts } from './worker.js';

/** Trained models that ship with the project (made by `npm run models`). */
export const SHIPPED_MODELS: readonly string[] = ['lenet5', 'cnn'];

/** Shipped models `adapt` takes: the MNIST ones and the MobileNet-style network trained on Fashion-MNIST. */
export const ADAPT_MODELS: readonly string[] = [...SHIPPED_MODELS, 'mobilenet'];

const ARCH_HELP = `a built-in architecture (${builtinArchNames.join(', ')}) or Timeloop v0.3/v0.4 architecture YAML (comma-separated files; its constraints apply to every layer)`;
const IMPERFECT_NETWORK_HELP = 'also map each layer with imperfect factors (awkward bounds such as 197 padded, the last pass partial) and keep the better by the exact partial-tile cost; layers so mapped show their pads, figures follow --partial-tiles exact';
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
    .option('--partial-tiles <timeloop|exact>', "imperfect factors (P=9,2): count partial tiles as Timeloop does (default: its Computes, cycles and averaged instances) or exactly (the true iteration space); both are printed")
    .action(async (inputs: string[], opts: ModelOpts) => (await import('./model.js')).runModel(inputs, opts));

  program
    .command('map')
    .description('search for the best mapping (dataflow) of a layer; prints it with its cost, a lower bound and the gap')
    .argument('<inputs...>', 'Timeloop v0.3/v0.4 YAML (architecture, problem, constraints) or dnnergy-native YAML')
    .option('--ert <file>', 'energy reference table (Accelergy ERT YAML)')
    .option('--objective <energy|delay|edp>', "what to minimise (default: the input's mapper metric — EDP if its mapper section names none, as Timeloop — else energy)")
    .option('--seed <n>', 'random seed', '1')
    .option('--threads <n>', 'worker threads (capped at the cores, with a warning; ~35 MB each)', '1')
    .option('--evaluations <n>', 'mappings each thread may evaluate (the budget; same seed and threads, same answer; default 200000, none with --time-limit alone)')
    .option('--time-limit <s>', 'stop after this many seconds; alone, the exact search runs until then or until the optimum is proven')
    .option('--search <anneal|exact>', 'anneal (default), or exact: annealing, then branch-and-bound with a proven gap (the default with --time-limit alone)')
    .option('--convention <v4|v3>', "counting convention (default: the input's)")
    .option('--jinja <name=value...>', 'data for Jinja2 templates in the inputs')
    .option('--json', 'print JSON (stable keys, no timings) instead of text')
    .option('--out <file>', 'write the best mapping as Timeloop mapping YAML (dnnergy model reads it)')
    .option('--density <name=d,...>', 'tensor densities by name or role, e.g. Weights=0.3,Inputs=0.5: they act through the design\'s sparse optimizations, and the search ranks every candidate by its sparse cost')
    .option('--imperfect', 'also propose imperfect factors (ceil splits of awkward bounds such as 197: the last pass is partial), ranked by their exact cost; anneals')
    .option('--partial-tiles <timeloop|exact>', "imperfect factors (P=9,2): count partial tiles as Timeloop does (default: its Computes, cycles and averaged instances) or exactly (the true iteration space); both are printed")
    .action(async (inputs: string[], opts: MapOpts) => (await import('./map.js')).runMap(inputs, opts));

  program
    .command('analyze')
    .description('map and evaluate every layer of a network: per-layer energy by level, cycles, utilisation, DRAM accesses')
    .argument('<network>', `an ONNX file (.onnx) or a zoo network (${zooNames.join(', ')})`)
    .option('--input-shape <shape>', 'ONNX input shapes: CxHxW for the first input, or name=1x3x224x224[,name=...] (any rank, batch included)')
    .option('--dim <name=N,...>', 'sizes of an ONNX model\'s symbolic dimensions, by name')
    .option('--strict', 'refuse ONNX ops dnnergy does not know (default: kept as not modelled when the file gives their shapes, with a warning)')
    .option('--if <cond=then|else,...>', 'the branch an ONNX If takes when its condition tensor (named) is known only at run time')
    .requiredOption('--arch <name|file.yaml>', ARCH_HELP)
    .option('--ert <file>', ERT_HELP)
    .option('--clock <MHz>', 'clock for frames/s (default: the built-in chip\'s, 1000 for files)')
    .option('--batch <n>', 'images per batch', '1')
    .option('--objective <energy|delay|edp>', 'what the mapper minimises per layer', 'edp')
    .option('--evaluations <n>', 'mapper budget per distinct layer shape', '20000')
    .option('--seed <n>', 'mapper seed', '1')
    .option('--threads <n>', 'mapper threads (capped at the cores, with a warning; ~35 MB each)', '1')
    .option('--density <role=d,...>', 'densities of every layer by role, e.g. Weights=0.3,Inputs=0.5 (a pruned ONNX model\'s weights: from its zeros); each layer\'s mapping is evaluated by the sparse engine under the design\'s sparsity (RLC off chip, zero gating)')
    .option('--density-from <source>', 'a pruned ONNX model\'s weight densities: average (the fraction of non-zeros, fixed-structured; default) or actual (every weight tile counted on the file\'s zeros)')
    .option('--json', 'print JSON (stable keys) instead of a table')
    .option('--out <file>', 'also write the JSON report to this file (atomically)')
    .option('--html <file>', 'also write an HTML report with stacked bars of energy per layer by level')
    .option('--exact <seconds>', 'map each distinct layer shape with the exact search for up to this long (instead of --evaluations): per-layer and network proven gaps')
    .option('--exact-budget <seconds>', 'the exact search for the whole network within about this long: each distinct shape gets what is left times its share of the MACs not yet mapped (at least 0.25 s), a shape that finishes early leaves its time to the rest; annealing 20,000 evaluations per thread for each first incumbent')
    .option('--imperfect', IMPERFECT_NETWORK_HELP)
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
    .option('--exact <seconds>', 'map each distinct layer shape with the exact search for up to this long (instead of --evaluations): proven gaps per dataflow')
    .option('--imperfect', IMPERFECT_NETWORK_HELP)
    .option('--json', 'print JSON (stable keys) instead of tables')
    .option('--out <file>', 'also write the JSON report to this file (atomically)')
    .option('--html <file>', 'also write an HTML report with the stacked-bar plot')
    .action(async (o: DataflowsOpts) => (await import('./dataflows.js')).runDataflows(o));

  program
    .command('chips')
    .description('a network on Eyeriss v1 (as built, JSSC 2017) and Eyeriss v2 (JETCAS 2019) side by side: per layer and in total, inferences/s and /J, utilisation, limiting resource')
    .option('--network <zoo|file.onnx>', `a zoo network (${zooNames.join(', ')}) or an ONNX file`, 'alexnet')
    .option('--sparse <densities|file.json|pruned.onnx>', 'densities for every layer, weights=<0..1>,inputs=<0..1>,outputs=<0..1>, a JSON file of them per layer name, or a pruned ONNX file whose weights\' zeros give its layers\' weight densities by name (the sparse engine: v1 RLC + zero gating, v2 CSC + zero skipping); a pruned ONNX file as --network brings its own weight densities too')
    .option('--batch <n>', 'images per batch', '1')
    .option('--objective <energy|delay|edp>', 'what the mapper minimises per layer', 'edp')
    .option('--evaluations <n>', 'mapper budget per distinct layer shape and chip', '20000')
    .option('--seed <n>', 'mapper seed', '1')
    .option('--threads <n>', 'mapper threads (capped at the cores, with a warning; ~35 MB each)', '1')
    .option('--dram-bandwidth <words|unlimited>', 'off-chip words per cycle for both chips, read and write each (default: each chip\'s own: v1 shares 1.8 over its 64-b link, v2 unlimited)')
    .option('--placement <compiler|search>', 'how v1 places a layer on its PE array: compiler = the chip compiler\'s row-stationary fold (JSSC 2017: filter rows down, output rows across, strip-mined and replicated; the mapper chooses the rest); search = the mapper searches the spatial loops too (v2 always searches)', 'compiler')
    .option('--conv-only', 'only the convolution layers (the figure chip papers quote for AlexNet)')
    .option('--search <both|dense>', 'with densities, how a sparse layer is mapped: both = a dense-ranked and a sparse-ranked search, the better as the chip runs it kept; dense = the dense-ranked one only (what a chip compiler that ignores zeros picks)', 'both')
    .option('--input-shape <shape>', 'ONNX input shapes: CxHxW for the first input, or name=1x3x224x224[,name=...]')
    .option('--dim <name=N,...>', 'sizes of an ONNX model\'s symbolic dimensions, by name')
    .option('--json', 'print JSON (stable keys) instead of tables')
    .option('--out <file>', 'also write the JSON report to this file (atomically)')
    .option('--html <file>', 'also write an HTML report with the per-layer plot')
    .action(async (o: ChipsOpts) => (await import('./chips.js')).runChips(o));

  program
    .command('train')
    .description('train a network on MNIST (tfjs, WebAssembly backend) and save it with its test accuracy')
    .requiredOption('--model <lenet5|cnn|mobilenet>', 'the network (mobilenet: depthwise-separable, MobileNet-style)')
    .option('--data <mnist|fashion-mnist|dir>', 'the dataset: MNIST, Fashion-MNIST (Debian dataset-fashion-mnist) or a directory of IDX files', 'mnist')
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
    .option('--activations <average|actual>', 'how activations are priced: average (their non-zero fraction on 1,000 held-out images) or actual (their zero masks on --activation-images of them, every tile counted by the sparse engine)', 'average')
    .option('--activation-images <n>', 'held-out images whose activation masks --activations actual keeps (at most 1000)', '100')
    .option('--out <dir>', 'write the pruned model (model.json, weights.bin, model.onnx) and report.json here')
    .option('--json', 'print the report as JSON')
    .action(async (o: PruneOpts) => (await import('./prune.js')).runPrune(o));

  const sweep = program
    .command('sweep')
    .description('map every design of a sweep spec on its networks (local threads, or a BullMQ queue on Redis) into an SQLite store; resumable; `sweep report` draws the Pareto fronts')
    .argument('<spec>', 'sweep spec YAML (see README, Sweeps)')
    .option('--out <results.db>', 'SQLite store of the results (required); a rerun skips what it holds')
    .option('--threads <n>', 'local worker threads (capped at the cores, with a warning; ~35 MB each)', '1')
    .option('--queue <redis://host:port>', 'put the jobs on this Redis queue instead, for `dnnergy worker` processes on any machines')
    .option('--json', 'print the report JSON (stable keys, no timings) instead of text; no progress bar')
    .action(async (spec: string, opts: SweepOpts) => (await import('./sweep.js')).runSweep(spec, opts));
  sweep
    .command('report')
    .description('the Pareto fronts (energy per inference, latency, area) of a sweep store')
    .argument('<results.db>', 'a store written by dnnergy sweep')
    .option('--html <file>', 'write a self-contained HTML page: plots with hover details and the table of front points')
    .option('--svg <file>', 'write the plots as one SVG picture')
    .option('--json', 'print the report JSON (stable keys; byte-identical for the same sweep and seed, local or queued)')
    // The parent's --json is the same flag: commander hands it to whichever command parses first.
    .action(async (db: string, _o: SweepReportOpts, cmd: Command) => (await import('./sweep.js')).runSweepReport(db, cmd.optsWithGlobals<SweepReportOpts>()));

  program
    .command('worker')
    .description('take sweep jobs from a BullMQ queue on Redis until stopped (run any number, on any machines)')
    .requiredOption('--queue <redis://host:port>', 'the Redis server the sweep puts its jobs on')
    .option('--threads <n>', 'jobs at once, each on its own thread (capped at the cores)', '1')
    .option('--lock-ms <n>', "how long a job's lock lasts; a killed worker's job is retried after about this long", '10000')
    .action(async (opts: WorkerOpts) => (await import('./worker.js')).runWorker(opts));

  program
    .command('adapt')
    .description('NetAdapt (ECCV 2018): shrink a trained classifier to a cost target measured on the platform — accelerator energy or latency from the model, or real CPU latency (onnxruntime) — against uniform width multipliers')
    .requiredOption('--model <name|dir>', `a shipped trained model (${ADAPT_MODELS.join(', ')}) or a directory written by dnnergy train`)
    .requiredOption('--cost <metric:platform>', 'energy:<arch>, latency:<arch> (a built-in design or Timeloop architecture YAML) or latency:cpu')
    .option('--target <f>', 'target cost as a fraction of the original network\'s, in (0, 1]', '0.5')
    .option('--data <mnist|fashion-mnist|dir>', "the dataset (default: the one the model's report.json names, else mnist)")
    .option('--ert <file>', ERT_HELP)
    .option('--seed <n>', 'seed for fine-tuning samples and order, and for the mapper', '1')
    .requiredOption('--out <dir>', 'where to write the adapted model (model.json, weights.bin, model.onnx) and report.json')
    .option('--html', 'also write report.html: accuracy against cost for NetAdapt and the baselines')
    .option('--also <costs>', 'further platforms to price every network on, comma-separated (e.g. latency:cpu)')
    .option('--alphas <list>', "width multipliers of the baseline ('none': no baseline)", '1,0.875,0.75,0.625,0.5,0.375')
    .option('--baseline-images <n>', "fine-tuning images of each baseline (default: what NetAdapt's kept path used, short-term and long-term)")
    .option('--granularity <n>', 'filter counts are multiples of this', '4')
    .option('--initial-reduction <f>', "first iteration's cost reduction, as a fraction of the original cost", '0.1')
    .option('--decay <f>', 'factor of the reduction per iteration', '0.96')
    .option('--short-term-images <n>', 'images of the short-term fine-tune of each proposal', '640')
    .option('--long-term-images <n>', 'images of the long-term fine-tune at the end', '10000')
    .option('--holdout-images <n>', 'held-out training images (the validation split) that decide between proposals', '1000')
    .option('--test-images <n>', 'test images the reported accuracy is measured on', '10000')
    .option('--lr <x>', 'fine-tuning learning rate (Adam; half of it for the long-term fine-tune)', '0.001')
    .option('--max-iterations <n>', 'iterations at most', '40')
    .option('--evaluations <n>', "mapper budget of a full search: each of the original network's layer shapes (model platforms)", '2000')
    .option('--variant-evaluations <n>', "evaluations of the short search that maps a layer variant from its full-width layer's best mapping (0: a full search per shape)", '32')
    .option('--prune <methods>', "pruning baselines when the cost is energy on a design: magnitude, energy-aware, both (comma-separated) or 'none'", 'magnitude,energy-aware')
    .option('--prune-drop <points>', 'validation-accuracy points a pruning step may lose (pruning baselines)', '1')
    .option('--checkpoints <list>', 'intermediate targets (between --target and 1): the first network at or under each is long-term fine-tuned and reported, as if the run ended there')
    .option('--warmup <n>', 'untimed runs before timing (latency:cpu)', '20')
    .option('--runs <n>', 'timed runs per table entry and network; the median counts (latency:cpu)', '100')
    .option('--rounds <n>', 'rounds per table entry and network, round-robin over the models of one timing (an entry: 1-4 copies of its layer); the lowest median counts (latency:cpu; the machine may be shared)', '3')
    .option('--prime <n>', "latency:cpu: before each iteration, time this many candidate counts per layer (the largest below its current one) together, round-robin, so one burst of load is shared by an iteration's candidates; 0: each entry timed alone when first asked", '4')
    .option('--span <s>', 'latency:cpu: spread the rounds of a primed batch and of the whole networks\' timing over at least this many seconds (this machine runs a model at two speeds for seconds at a time: a batch timed within a fraction of a second can fall wholly into the slow one)', '5')
    .option('--ort-level <basic|extended|all>', "onnxruntime's graph optimisation (latency:cpu); 'all' changes the layout to NCHWc across a whole network, which layers timed alone pay at their edges", 'extended')
    .option('--json', 'print the report as JSON (no timings)')
    .action(async (o: AdaptOpts) => (await import('./adapt.js')).runAdapt(o));

  program
    .command('web')
    .description('serve the web explorer (built by `npm run web`) on 127.0.0.1 and print its URL')
    .option('--port <n>', 'port (0: any free one)', '8316')
    .action(async (o: WebOpts) => (await import('./web.js')).runWeb(o));
}
