/**
 * Domain errors of the collections core. Routes map them to HTTP (not_found → 404, conflict → 409,
 * invalid → 400 naming `field`); nothing below the routes knows about HTTP.
 */
export type CollectionsErrorCode = 'not_found' | 'conflict' | 'invalid';

export class CollectionsError extends Error {
  override readonly name = 'CollectionsError';
  constructor(
    readonly code: CollectionsErrorCode,
    message: string,
    /** For `invalid` (and some `not_found`): the input field at fault, as the public API names it. */
    readonly field?: string,
  ) {
    super(message);
  }
  static notFound(what: string, field?: string): CollectionsError {
    return new CollectionsError('not_found', `No such ${what}`, field);
  }
  static conflict(message: string, field?: string): CollectionsError {
    return new CollectionsError('conflict', message, field);
  }
  static invalid(message: string, field: string): CollectionsError {
    return new CollectionsError('invalid', message, field);
  }
}

export function isCollectionsError(err: unknown): err is CollectionsError {
  return err instanceof CollectionsError;
}
