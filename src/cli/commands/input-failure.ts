/** compare, frames and verify: the one input a command needs cannot be read or measured (exit 1). */
import type { VerifyError } from '../../core/errors.js';
import { inputError, isInputError } from '../errors.js';
import type { CliOptions } from '../options.js';
import { jsonLine, labelled, printable, withCode } from '../text.js';

/** A library error with the file it is about, when the command knows it. */
export class InputFailure extends Error {
  constructor(
    readonly error: VerifyError,
    readonly file?: string,
  ) {
    super(error.message, { cause: error });
  }
}

/** Runs one library call on `file`; its input errors name the file. Environment errors pass as they are. */
export async function about<T>(file: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw isInputError(error) ? new InputFailure(error, file) : error;
  }
}

export function printInputFailure(failure: InputFailure, o: CliOptions): void {
  const error = inputError(failure.error, failure.file);
  if (o.json) {
    console.log(jsonLine({ ...(failure.file === undefined ? {} : { file: failure.file }), passed: false, error }));
    return;
  }
  const why = withCode(error.messages[o.locale], error.code, o.locale);
  console.log(failure.file === undefined ? `✗ ${why}` : `✗ ${labelled(printable(failure.file), why, o.locale)}`);
}
