/**
 * Known Locky configurations (docs/locky-dga.md §7), with provenance.
 *
 * `firstSeen` is the earliest date the evidence supports; for seeds taken
 * from Bader's repository it is the date of the commit that added the seed,
 * i.e. an upper bound of the first sighting. Seeds we inferred by matching
 * generated names against public lists carry `inferred: true`.
 *
 * A static list can never be complete: operators picked new seeds every few
 * days in 2016. Users add seeds with `--dga locky-v3:N`.
 */
import type { DgaConfig } from './family.js';
import { LOCKY_FAMILY } from './locky.js';

const DOC = 'docs/locky-dga.md §7';
const BADER_V2 = 'Bader domain_generation_algorithms locky/dgav2.py';
const BADER_V3 = 'Bader domain_generation_algorithms locky/dgav3.py';

function locky(variant: 'v1' | 'v2' | 'v3', seed: number | null, firstSeen: string | null, inferred: boolean, source: string): DgaConfig {
  return Object.freeze({ family: LOCKY_FAMILY, variant, seed, source: `${source} (${DOC})`, firstSeen, inferred });
}

/** v3 seeds added to Bader's dgav3.py, with the commit date (doc §7), in the doc's order. */
const BADER_V3_SEEDS: readonly (readonly [number, string])[] = [
  [5566, '2016-03-31'],
  [9106, '2016-03-31'],
  [5579, '2016-04-04'],
  [111, '2016-04-04'],
  [9044, '2016-04-12'],
  [9099, '2016-04-13'],
  [9047, '2016-05-02'],
  [9133, '2016-05-03'],
  [9199, '2016-05-06'],
  [9190, '2016-05-10'],
  [9088, '2016-05-19'],
  [9998, '2016-05-19'],
  [9992, '2016-05-19'],
  [1511, '2016-05-26'],
  [1513, '2016-05-30'],
  [1517, '2016-05-30'],
  [9056, '2016-06-01'],
];

/** v3 seeds inferred from ≥ 2 abuse.ch tracker names in one or adjacent windows (2016-06 … 2017-12). */
const ABUSE_CH_INFERRED_V3 = [6721, 15099, 5608, 1129, 1313, 56779, 74311, 87233, 90542, 90322, 1122, 6767, 9079] as const;

/** Every known Locky configuration: v1, then v2 seeds, then v3 seeds (documented before inferred). */
export const KNOWN_LOCKY_CONFIGS: readonly DgaConfig[] = Object.freeze([
  locky('v1', null, '2016-02-16', false, `original DGA from the Locky launch (Proofpoint 2016-02-16, abuse.ch); ${BADER_V2} config 5, MD5 32e2c73ed8da34d87c64267936e632cb`),

  locky('v2', 7, '2016-02-24', false, `Forcepoint "Locky's New DGA", sample analysed 2016-02-24, SHA1 e8ea52e0d43f9420a65993a4123fc15d64bc880e; ${BADER_V2} config 4`),
  locky('v2', 9, '2016-02-25', false, `Forcepoint "Locky's New DGA", sample analysed 2016-02-25, SHA1 2ddd654437a48974f241f81a9d645a7374b82bec; ${BADER_V2} config 3`),
  locky('v2', 62, '2016-02-29', false, `${BADER_V2} config 1, MD5 b28da1f2a5d889594a0e77e0853bcf29; example list committed 2016-02-29 (upper bound)`),
  locky('v2', 75, '2016-03-03', false, `${BADER_V2} config 2, MD5 e35bf0901f1a7db2b3752f85cd1bd044 (date is an upper bound)`),
  locky('v2', 660, '2016-03-16', false, `${BADER_V2} config 6, MD5 d2ea1565ae004368655edb5169b56a0f (date is an upper bound)`),
  locky('v2', 555, '2016-03-16', false, `${BADER_V2} config 7, MD5 69b933a694710f8ceb314dc897a94cbe (date is an upper bound)`),
  locky('v2', 522, '2016-03-08', true, 'inferred: 2 names in the maltrail "Misc." list match window 2016-03-08/09'),
  locky('v2', 299, '2016-03-08', true, 'inferred: 2 abuse.ch tracker names match window 2016-03-08/09'),
  locky('v2', 255, '2016-06-26', true, 'inferred: 2 abuse.ch tracker names match windows 2016-06-26/27 and 06-28/29'),

  locky('v3', 7077, '2016-03-24', false, `abuse.ch names by the 2016-03-24/25 window; ${BADER_V3}, added 2016-03-29`),
  ...BADER_V3_SEEDS.map(([seed, date]) => locky('v3', seed, date, false, `${BADER_V3}, added ${date} (date is an upper bound)`)),
  locky('v3', 7773, '2016-07-13', false, `${BADER_V3}, added 2016-07-13, citing Nominum "locky-back"`),
  locky('v3', 7743, '2016-07-13', false, `${BADER_V3}, added 2016-07-13, citing Nominum "locky-back"`),
  locky('v3', 63218, '2016-12-12', false, 'Nominum "The Comings and Goings (and Comings) of Locky" (May 2017): last new seed of 2016'),
  locky('v3', 556677, '2017-04-26', false, 'Nominum "The Comings and Goings (and Comings) of Locky": detected 2017-04-26 ~08:00 UTC (names are those of the 04-24/25 window, doc A1)'),
  locky('v3', 87133, '2017-05-08', false, 'Nominum "The Comings and Goings (and Comings) of Locky": second 2017 seed'),

  ...ABUSE_CH_INFERRED_V3.map((seed) => locky('v3', seed, null, true, 'inferred: ≥ 2 abuse.ch tracker names (maltrail mirror) in one or adjacent windows, 2016-06 … 2017-12')),
  locky('v3', 55555, null, true, 'inferred: 2020 sandbox run of a sample (VirusTotal 17a77977…, maltrail mirror) shows indices 0–11 of one window'),
  locky('v3', 76532, null, true, 'inferred: sandbox run mirrored in maltrail (Talos roundup 2023-03 / ThreatBook 2023)'),
  locky('v3', 90328, null, true, 'inferred: sandbox run mirrored in maltrail (Talos roundup 2023-03 / ThreatBook 2023)'),
]);
