/** How section rules report a problem: JSON path, what was expected, the value found. */
export type Report = (path: string, expected: string, found: unknown) => void;

/** A semantic problem before it is located in the file. */
export interface RuleProblem {
  readonly path: string;
  readonly expected: string;
  readonly found: string;
}
