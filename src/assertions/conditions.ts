/**
 * One condition of an expectation. An expectation such as `{ equals, matches }` is the
 * conjunction of its conditions, so a single outcome reports all of them together.
 */
export interface Condition<T> {
  /** The condition in words, e.g. `equal to "ok"`. */
  expected: string;
  test(value: T): boolean;
}

/**
 * The conjunction of conditions, its words joined with ` and `
 * (e.g. `present and matching /json/`). Built once when an expectation is compiled.
 */
export function allOf<T>(conditions: readonly Condition<T>[]): Condition<T> {
  const list = [...conditions];
  return {
    expected: list.map((c) => c.expected).join(' and '),
    test: (value) => list.every((c) => c.test(value)),
  };
}
