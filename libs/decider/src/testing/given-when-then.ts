import type { Decider, DomainEvent } from '../decider';

/**
 * Given/when/then for deciders:
 *   given(decider, [pastEvents]).when(command).then([expectedEvents])
 *   given(decider, [pastEvents]).when(command).thenThrows(DomainError, /message/)
 */
export function given<Command, State, Event extends DomainEvent>(
  decider: Decider<Command, State, Event>,
  history: Event[] = [],
) {
  const state = history.reduce((current, event) => decider.evolve(current, event), decider.initialState());
  return {
    state,
    when(command: Command) {
      const run = () => decider.decide(command, state);
      return {
        then(expected: Event[] | ((events: Event[]) => void)) {
          const events = run();
          if (typeof expected === 'function') expected(events);
          else expect(events).toEqual(expected);
          return events.reduce((current, event) => decider.evolve(current, event), state);
        },
        thenNothingHappens() {
          expect(run()).toEqual([]);
        },
        thenThrows(errorType: new (...args: never[]) => Error, message?: RegExp | string) {
          let caught: unknown;
          try {
            run();
          } catch (error) {
            caught = error;
          }
          expect(caught).toBeInstanceOf(errorType);
          if (message !== undefined) expect((caught as Error).message).toMatch(message);
          return caught as Error;
        },
      };
    },
  };
}
