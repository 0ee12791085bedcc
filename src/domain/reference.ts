/** A Danish municipality (kommune), joined everywhere by its code, never by its name. */
export type Municipality = {
  /** Statistics Denmark code without leading zero, e.g. 101 for København. */
  readonly code: number;
  readonly name: string;
  /** Region code 1081–1085 (DAGI), e.g. 1084 Region Hovedstaden. */
  readonly regionCode: number;
  readonly population: number;
  /** Other spellings used by SSI files for this municipality (e.g. `Copenhagen`). */
  readonly aliases: readonly string[];
};

export type Region = {
  readonly code: number;
  readonly name: string;
};

/** Christiansø is administered by the state: it is not one of the 98 municipalities. */
export const CHRISTIANSOE_CODE = 411;
