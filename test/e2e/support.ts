/** What the end-to-end journeys share: the problem+json check and tenant names that never collide between runs. */

export type Problem = { type: string; title: string; status: number; detail?: string; errors?: { field: string; messages: string[] }[] };
export type Page<T> = { items: T[]; nextCursor: string | null };

/** A tenant of its own per test, so that journeys on a shared server never see each other's records. */
export const uniqueTenant = (name: string): string => `${name}-${Math.random().toString(36).slice(2, 8)}`;

/** Bad input answers `status` as RFC 9457 problem+json, naming each of `fields` among its errors. */
export function expectProblem(response: { status: number; headers: Record<string, string>; body: unknown }, status: number, fields: string[] = []): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = response.body as Problem;
  expect(problem).toMatchObject({ status, title: expect.any(String), type: expect.any(String) });
  for (const field of fields) expect(problem.errors?.map((error) => error.field)).toContain(field);
}
