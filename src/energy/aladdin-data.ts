/**
 * The Aladdin 40nm/45nm tables that Accelergy's Aladdin plug-in reads,
 * transcribed from Accelergy-Project/accelergy-aladdin-plug-in, data/*.csv
 * at commit 7fe4102 (2022-12, the Accelergy v0.3 plug-in that produced the
 * v0.3/v0.4 reference ERTs). Each row: [latency ns, dynamic energy pJ,
 * idle energy pJ, area um²]. Sizes: adder/multiplier/counter/comparator
 * rows are 32-bit units, reg a 1-bit register, crossbar 4 outputs × 32 bits.
 */
export type AladdinRow = readonly [number, number, number, number];

/** Table name → rows by latency. */
export const ALADDIN_TABLES: Readonly<Record<string, readonly AladdinRow[]>> = {
  adder: [[0.5, 0.142, 0.0016, 379.0], [1, 0.21, 0.0023, 278.0], [2, 0.0858, 0.0048, 179.0], [3, 0.0859, 0.0071, 179.0], [4, 0.0857, 0.0095, 179.0], [5, 0.0857, 0.0119, 179.0], [6, 0.0857, 0.0143, 179.0], [10, 0.0853, 0.0238, 179.0]],
  multiplier: [[0.5, 18.94, 0.15, 8340.0], [1, 12.68, 0.08, 6350.0], [2, 9.55, 0.1, 5140.0], [3, 8.8, 0.14, 4970.0], [4, 8.66, 0.19, 4620.0], [5, 8.63, 0.24, 4600.0], [6, 8.63, 0.29, 4600.0], [10, 8.8, 0.48, 4600.0]],
  reg: [[1, 0.009, 7E-05, 5.98], [2, 0.00901, 0.00015, 5.98], [3, 0.00901, 0.00022, 5.98], [4, 0.009, 0.0003, 5.98], [5, 0.009, 0.00037, 5.98], [6, 0.00901, 0.00044, 5.98], [10, 0.00554, 0.00074, 5.98]],
  counter: [[0.5, 0.2751, 0.000216649, 584.0], [1, 0.25074, 0.0003213, 495.5], [2, 0.21462, 0.0001932, 259.0], [3, 0.21441, 0.0002625, 255.0], [4, 0.211092, 0.0003303, 251.5], [5, 0.206325, 0.000406, 250.5], [6, 0.206682, 0.0004053, 225.0], [10, 0.20678, 0.0006377, 214.5]],
  comparator: [[0.5, 0.03052, 1.37E-05, 71.5], [1, 0.02947, 2.51E-05, 71.0], [2, 0.028966, 4.84E-05, 70.0], [3, 0.02898, 7.27E-05, 70.0], [4, 0.02898, 9.69E-05, 70.0], [5, 0.029015, 0.0001211, 70.0], [6, 0.02898, 0.00014532, 70.0], [10, 0.02898, 0.0002422, 70.0]],
  bitwise: [[1, 0.0181, 0.001, 50.4], [2, 0.018, 0.001, 50.4], [3, 0.018, 0.002, 50.4], [4, 0.018, 0.002, 50.4], [5, 0.018, 0.003, 50.4], [6, 0.018, 0.004, 50.4], [10, 0.0181, 0.006, 50.4]],
  crossbar: [[2, 0.6804, 0.0003206, 569.5], [3, 0.6804, 0.0004809, 569.5], [4, 0.68068, 0.0006412, 569.5], [5, 0.68215, 0.0008015, 569.5], [6, 0.67914, 0.000961, 569.5], [10, 0.6811, 0.001603, 569.5]],
  fp_sp_adder: [[1, 16.679, 0.159, 4360.0], [2, 11.026, 0.129, 3010.0], [3, 10.584, 0.182, 2960.0], [4, 7.894, 0.189, 2120.0], [5, 7.928, 0.228, 2060.0], [6, 7.928, 0.273, 2060.0], [10, 7.701, 0.458, 2060.0]],
  fp_sp_multiplier: [[1, 35.3, 0.3595236, 4360.0], [2, 29.7, 0.3565266, 3010.0], [3, 27.8, 0.44451243, 2960.0], [4, 25.2, 0.54034944, 2120.0], [5, 24.4, 0.63237915, 2060.0], [6, 24.2, 0.75571938, 2060.0], [10, 26.6, 1.3429701, 2060.0]],
  fp_dp_adder: [[0.5, 20.552, 0.264, 12900.0], [1, 43.754, 0.4, 9880.0], [2, 26.147, 0.27, 6130.0], [3, 25.787, 0.368, 5980.0], [4, 23.243, 0.419, 5120.0], [5, 23.269, 0.526, 5120.0], [6, 23.902, 0.689, 5120.0], [10, 17.779, 0.905, 3990.0]],
  fp_dp_multiplier: [[0.5, 69.769, 0.527, 28600.0], [1, 113.763, 0.829, 8970.0], [2, 103.936, 1.169, 6150.0], [3, 95.553, 1.379, 5700.0], [4, 94.905, 1.814, 5220.0], [5, 92.938, 2.103, 4910.0], [6, 90.596, 2.427, 4890.0], [10, 86.565, 3.697, 5420.0]],
};

/**
 * Default attributes of Accelergy's primitive classes (accelergy,
 * share/primitive_component_libs/primitive_component.lib.yaml, v0.3),
 * used where a component does not give one.
 */
export const PRIMITIVE_DEFAULTS: Readonly<Record<string, Readonly<Record<string, string | number>>>> = {
  bitwise: { technology: '65nm', datawidth: 16, latency: '5ns', num: 1 },
  intadder: { technology: '65nm', datawidth: 16, num_pipeline_stages: 1, latency: '5ns' },
  fpadder: { technology: '65nm', exponent: 8, mantissa: 24, sign: 0, num_pipeline_stages: 1, latency: '5ns' },
  intmultiplier: { technology: '65nm', datawidth: 16, num_pipeline_stages: 1, latency: '5ns' },
  fpmultiplier: { technology: '65nm', exponent: 8, mantissa: 24, sign: 0, num_pipeline_stages: 1, latency: '5ns' },
  regfile: { technology: '65nm', width: 16, depth: 1, n_ports: 2, latency: '5ns' },
  reg: { technology: '65nm', datawidth: 16, latency: '5ns' },
  SRAM: { technology: '65nm', width: 64, depth: 512, n_rd_ports: 0, n_wr_ports: 0, n_rdwr_ports: 1, n_banks: 1, latency: '5ns' },
  DRAM: { technology: '65nm', type: 'LPDDR4', width: 64 },
  counter: { technology: '65nm', width: 16, latency: '5ns' },
  FIFO: { technology: '65nm', datawidth: 16, depth: 2, latency: '5ns' },
  intmac: { technology: '65nm', datawidth: 16, num_pipeline_stages: 2, latency: '5ns' },
  fpmac: { technology: '65nm', exponent: 8, mantissa: 24, sign: 0, num_pipeline_stages: 3, latency: '5ns' },
  comparator: { technology: '65nm', datawidth: 8 },
  crossbar: { technology: '65nm', n_inputs: 1, n_outputs: 1, datawidth: 16, latency: '5ns' },
  wire: { technology: '65nm', length: '1um', latency: '5ns' },
};
