/** Labels that mark demo workloads, so nobody mistakes them for production objects. */

/** On every object of the "what we lose without Kata" demos (seed 000 section 9). */
export const INSECURITY_DEMO_LABELS: Readonly<Record<string, string>> = {
  'coco.azure/insecurity-demo': 'true',
  'coco.azure/warning': 'INSECURE-do-not-run-in-production',
};
