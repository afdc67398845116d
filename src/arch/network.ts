/**
 * Networks-on-chip as Timeloop's inputs name them: a network carries a
 * storage level's traffic to or from the instances below it (its
 * `network_read` / `network_update`; the children name the same network
 * `network_fill` / `network_drain`). Each transfer is priced with the
 * network's action from the energy table.
 */

/** How a network delivers one tensor to the instances below its level. */
export type NocMode = 'unicast' | 'multicast' | 'broadcast' | 'neighbour';

/** Which accesses of the parent level cross the network. */
export type NocPort = 'read' | 'update';

/** A network between a storage level and the level (or the compute units) below it. */
export interface NocLink {
  readonly name: string;
  /** Component class as written (`SimpleMulticast`, `XY_NoC`, ...). */
  readonly className: string;
  /** Index in `Arch.storage` of the level whose accesses cross it. */
  readonly parent: number;
  /** Reads of the parent travel down it; updates of the parent arrive over it. */
  readonly ports: readonly NocPort[];
  readonly wordBits: number;
  /** Energy-table action one transfer is priced with (Timeloop's `action_name`, default `transfer`). */
  readonly action: string;
  /** Timeloop's `per_datatype_ERT`: the action is `<action>_<tensor name>`. */
  readonly perTensorAction: boolean;
  /** Words per cycle; null when unlimited or not given. */
  readonly bandwidth: number | null;
  /**
   * How the network delivers (docs/model.md, "Networks-on-chip and
   * bandwidth"). Only a network with a mode limits cycles: a Timeloop
   * network has none (Timeloop does not throttle on networks), so its
   * bandwidth stays a warning.
   */
  readonly mode?: NocMode;
  /**
   * Index in `Arch.storage` of the level it delivers to (-1: the compute
   * units). It carries the tensors the parent keeps whose next keeper below
   * is that level; absent: every tensor the parent keeps.
   */
  readonly child?: number;
  /**
   * Modes the network can be configured into per layer, each with its
   * bandwidth (Eyeriss v2's hierarchical mesh): a layer runs in the one that
   * gives it the fewest cycles, as the chip's mapping tool chooses. When
   * given, `mode` and `bandwidth` are the first entry.
   */
  readonly modes?: readonly { readonly mode: NocMode; readonly bandwidth: number }[];
  /**
   * The level it fills is single-buffered: its children stop while the
   * network refills it, so the network's transfer time (words / bandwidth)
   * adds to the run instead of overlapping it (a stall).
   */
  readonly stalls?: boolean;
}
