/**
 * A design: what every command that takes `--arch` needs, whether it is a
 * built-in or was read from Timeloop files.
 */
import type { Arch } from '../arch/arch.js';
import type { EnergyTable } from '../energy/table.js';
import type { Constraints } from '../mapping/constraints.js';
import type { Workload } from '../workload/workload.js';

/** An accelerator, its energy per action and the mapspace constraints of its dataflow. */
export interface Design {
  /** Built-in name, or the architecture's name in its file. */
  readonly name: string;
  readonly description: string;
  readonly arch: Arch;
  readonly energy: EnergyTable;
  /** Constraints of the design's dataflow for a workload (dimension names are CNN_Layer's for layers). */
  constraints(w: Workload): Constraints;
  /** Clock in Hz, for frames per second. */
  readonly clockHz: number;
  /** What was read but not modelled, or priced by a default: printed and recorded in JSON. */
  readonly warnings: readonly string[];
}
