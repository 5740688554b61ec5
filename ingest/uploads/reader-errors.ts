/**
 * The errors the workbook and UBL readers throw for a file they refuse. They live apart from
 * the readers so that telling a file problem from a bug (upload-contract.ts) does not load the
 * readers' libraries (fflate, read-excel-file, fast-xml-parser) into every process.
 */

/** A workbook that cannot be read, or is over a limit. */
export class WorkbookError extends Error {
  override name = 'WorkbookError';
}

/** A document that is not one we take, or that cannot become a valid message; `path` names the element. */
export class UblError extends Error {
  override name = 'UblError';
  constructor(
    message: string,
    readonly path: string | null = null,
    readonly field: string | null = null,
  ) {
    super(message);
  }
}
