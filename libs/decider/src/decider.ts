/** A domain event as deciders see it: a type tag plus data, free of storage concerns. */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
}

/**
 * The decider pattern: `decide` turns a command into events given the current state,
 * `evolve` folds one event into the state. Both are pure; all I/O stays outside.
 */
export interface Decider<Command, State, Event extends DomainEvent> {
  initialState(): State;
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
}

export type DomainErrorKind = 'invalid' | 'not_found' | 'conflict' | 'gone';

/**
 * A rule of the domain was broken. The kind lets the API map it to a status code
 * without the domain knowing about HTTP.
 */
export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    /** Field-level details, e.g. `{ field: 'emails', reason: 'two primaries' }`. */
    readonly details: { field?: string; reason: string }[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function foldEvents<State, Event extends DomainEvent>(
  decider: Pick<Decider<unknown, State, Event>, 'initialState' | 'evolve'>,
  events: Iterable<Event>,
): State {
  let state = decider.initialState();
  for (const event of events) state = decider.evolve(state, event);
  return state;
}
