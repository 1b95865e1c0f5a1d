import type { z } from 'zod';

/**
 * A request the fault API refuses, with the HTTP status it answers with. Toxiproxy clients
 * read `{ "error": message, "status": status }`.
 */
export class ProxyApiError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'ProxyApiError';
    this.status = status;
  }
}

/** 400 with every zod issue, each prefixed by its key path. */
export function badRequest(issues: readonly z.core.$ZodIssue[], prefix = ''): ProxyApiError {
  const text = issues
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
      return path === '' ? issue.message : `${path}: ${issue.message}`;
    })
    .join('; ');
  return new ProxyApiError(400, text);
}
