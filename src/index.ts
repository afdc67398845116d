/**
 * dnnergy's public surface: what `import … from 'dnnergy'` gives a script,
 * and what the web explorer bundles. Browser-safe: nothing here reaches a
 * `node:` module (test/architecture/browser.test.ts bundles it for the
 * browser). File reading and worker threads are the caller's edge
 * (`dnnergy/dist/io/…` in Node).
 */

// The model.
export { evaluate, MAX_OPERATIONS } from './model/model.js';
export { analyse, type AnalysisOptions } from './model/nest.js';
export { planEnergy, planStorageEnergy, totals, type EnergyPlan, type StoragePlan, type Totals } from './model/cost.js';
export { resultToJSON, checkResult, type Result, type LevelResult, type DataSpaceResult, type NetworkResult } from './model/result.js';
export type { Counts, LevelCounts, DataSpaceCounts } from './model/counts.js';
export { score, better, type Objective } from './model/objective.js';
export { fixedStructured, hypergeometric, banded, actualData, tileSize, type DensityModel, type TileShape } from './sparse/density.js';
export { evaluateSparse } from './sparse/evaluate.js';
export { withDensities } from './sparse/override.js';
export { designSparsity, evaluateLayerSparse, isSparse, SPARSITY_ASSUMPTION, type LayerDensities, type SparseLayerResult } from './network/sparsity.js';
export { readSparse } from './interop/timeloop/sparse.js';
export type { SparseSpec, LevelSparsity, TensorFormat, RankFormat, DensitySpec } from './sparse/spec.js';

// Mapping a layer.
export { mapLayer, mapSpaceOf, type MapLayerOptions, type LayerMapping, type Baseline } from './mapper/map.js';
export { runMapper, type RunOptions, type RunResult } from './mapper/run.js';
export { lowerBound, type LowerBound } from './mapper/bound.js';
export { UnmappableError } from './mapper/errors.js';
export { emptyConstraints, freeLevel, type Constraints, type LevelConstraints } from './mapping/constraints.js';
export { validateMapping } from './mapping/validate.js';
export type { Mapping, LevelMapping, Loop, SpatialLoop } from './mapping/mapping.js';
export { inThreadPool, type Pool, type PoolTask } from './util/pool.js';
export { Rng } from './util/rng.js';

// Problems and hardware.
export { conv2dWorkload, convWorkload, fcWorkload, type Conv2d, type ConvShape } from './workload/conv.js';
export { operationCount, projectedSize, roleIndex, type Workload, type DataSpace, type TensorRole, type ProjectionTerm } from './workload/workload.js';
export { fanout, offChipLevels, type Arch, type StorageLevel, type ComputeLevel } from './arch/arch.js';
export type { NocLink, NocMode, NocPort } from './arch/network.js';
export { actionEnergy, type EnergyTable } from './energy/table.js';

// Readers (from text or parsed documents) and writers.
export { documentsFromText, loadModelInputs, loadArchitectureInputs, chooseConvention, type InputDocument, type ModelInputs, type ArchInputs } from './spec/load.js';
export { parseYamlText } from './spec/yaml.js';
export { readNative } from './spec/native.js';
export { SpecError, InternalError } from './spec/errors.js';
export { readArchitecture, readProblem, readMapping, mergeDocuments, type Merged, type Sourced } from './interop/timeloop/v4.js';
export { constraintsFrom, objectiveFrom, readConstraints } from './interop/timeloop/constraints.js';
export { readERT } from './interop/timeloop/ert.js';
export { readMapText } from './interop/timeloop/maptxt.js';
export { mappingToTimeloop, mappingToYaml } from './interop/timeloop/write.js';

// Designs.
export { builtinArch, builtinArchNames, type BuiltinArch } from './designs/builtin.js';
export { designFromDocuments, resolveDesign, isArchFile, type ArchLoader, type ArchDocuments } from './designs/resolve.js';
export type { Design } from './designs/design.js';
export { isca16, ISCA16_DATAFLOWS, type Isca16Dataflow } from './designs/isca16.js';
export { rowStationary, type RowStationaryParams } from './designs/rowstationary.js';

// Networks.
export { zooNetwork, zooNames } from './network/zoo.js';
export { layerMacs, layerWorkload, shapeKey, NetworkBuilder, type Network, type Layer, type ConvLayer, type FcLayer, type MatmulLayer, type MacLayer, type OtherLayer, type TensorShape, type LayerEdges } from './network/network.js';
export { producers, consumers, producerOf, consumersOf, concatOffsets, graphProblems, tiedLayers, shrink, isDepthwise } from './network/graph.js';
export { importOnnx, type OnnxImportOptions } from './network/onnx/import.js';
export { exportSequentialOnnx } from './network/onnx/export.js';
export { analyzeNetwork, layerEnergy, type NetworkReport, type LayerReport, type AnalyzeOptions } from './network/analyze.js';
export { compareDataflows, breakdown, type DataflowSummary } from './network/dataflows.js';

// Co-design: the cost seam (pruning itself needs tfjs and lives outside the core).
export { modelCost, type CostProvider, type NetworkCost, type ModelCostProvider, type ModelCostOptions, type CostMetric } from './codesign/cost.js';

// Reports.
export { formatResult, fmt, fmtEnergy } from './report/table.js';
export { networkReportToJSON, formatNetworkReport } from './report/network.js';
export { reportHtml } from './report/html.js';
export { mapReportToJSON, formatMapReport, describeMapping, type MapReport } from './report/mapping.js';
export { comparisonToJSON, formatComparison, comparisonHtml, type ComparisonMeta } from './report/dataflows.js';
export { offChipAccesses, levelAccesses } from './model/accesses.js';
