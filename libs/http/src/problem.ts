import type { Response } from 'express';
import type { z } from 'zod';
import type { ProblemDetails } from '@recoup/contracts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

type FieldError = NonNullable<ProblemDetails['errors']>[number];

/** An error a handler throws to answer with RFC 9457 problem details. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extra: { type?: string; errors?: FieldError[]; headers?: Record<string, string> } & Record<string, unknown> = {},
  ) {
    super(detail ?? title);
    this.name = 'HttpProblem';
  }

  static badRequest(detail: string, errors?: FieldError[]) {
    return new HttpProblem(400, 'Bad Request', detail, { errors });
  }
  static notFound(detail = 'No such resource') {
    return new HttpProblem(404, 'Not Found', detail);
  }
  static conflict(detail: string) {
    return new HttpProblem(409, 'Conflict', detail);
  }
  static unauthorized(detail = 'Missing or invalid credentials') {
    return new HttpProblem(401, 'Unauthorized', detail);
  }
  static forbidden(detail = 'Not allowed') {
    return new HttpProblem(403, 'Forbidden', detail);
  }
}

/** The shape of a domain error (libs/collections' CollectionsError) as the HTTP layer maps it; no import of the domain. */
interface DomainErrorLike {
  name: string;
  code: 'not_found' | 'conflict' | 'invalid';
  message: string;
  field?: string;
}

function isDomainError(err: unknown): err is DomainErrorLike {
  const e = err as Partial<DomainErrorLike> | null;
  return !!e && e.name === 'CollectionsError' && (e.code === 'not_found' || e.code === 'conflict' || e.code === 'invalid');
}

/**
 * A domain error as problem+json: not_found → 404, conflict → 409, invalid → 400, naming the public field
 * (`body.<field>`) when the error knows it. Any other error is returned unchanged.
 */
export function problemOfDomainError(err: unknown, part: 'body' | 'query' | 'params' = 'body'): unknown {
  if (!isDomainError(err)) return err;
  const errors = err.field ? [{ field: `${part}.${err.field}`, pointer: `/${err.field}`, detail: err.message }] : undefined;
  if (err.code === 'not_found') return new HttpProblem(404, 'Not Found', err.message, errors ? { errors } : {});
  if (err.code === 'conflict') return new HttpProblem(409, 'Conflict', err.message, errors ? { errors } : {});
  return new HttpProblem(400, 'Bad Request', err.message, { errors });
}

function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Converts zod issues on one request part (body, query, params, headers) into named field errors. */
export function fieldErrors(part: string, issues: readonly z.core.$ZodIssue[]): FieldError[] {
  return issues
    .map((issue) => {
      // An unknown key is reported on the object; name the key itself so the client sees which one.
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      return keys.map((key) => {
        const path = key === undefined ? issue.path.map(String) : [...issue.path.map(String), key];
        return {
          field: [part, ...path].join('.'),
          pointer: '/' + path.map(escapePointerToken).join('/'),
          detail: issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message,
        };
      });
    })
    .flat();
}

export function sendProblem(res: Response, problem: ProblemDetails, headers: Record<string, string> = {}): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}
