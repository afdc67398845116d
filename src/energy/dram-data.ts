/**
 * DRAM energy per bit (pJ) by type: the table of Accelergy's CACTI plug-in
 * (Accelergy-Project/accelergy-cacti-plug-in, cacti_wrapper.py, CactiDRAM;
 * its sources: LPDDR4 public data; LPDDR Malladi et al. ISCA'12; DDR3
 * Chatterjee et al. MICRO'17; HMC doi:10.1145/3093336.3037702). A read,
 * write or update moves `width` bits; idle and area are 0.
 */
export const DRAM_PJ_PER_BIT: Readonly<Record<string, number>> = {
  LPDDR4: 8, LPDDR: 40, DDR3: 70, GDDR5: 14, HBM2: 3.9, HMC: 4.2,
};
