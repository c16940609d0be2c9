/**
 * The decider pattern (Jérémie Chassaing; Emmett's `handle(store, streamId, decider, command)`):
 * state = events.reduce(evolve, initialState()); newEvents = decide(command, state).
 *
 * `decide` is pure and deterministic: time, randomness and anything read from outside (directory state,
 * hashes of what the user typed, verdicts that need a key) come in through the command.
 * A refusal that must leave a trace is returned as an event (e.g. `UnlockRefused`);
 * a refusal that records nothing (bad input, wrong stream state) is thrown as a `DomainRefusal`.
 */
export type Decider<Command, Event, State> = {
  initialState: () => State;
  evolve: (state: State, event: Event) => State;
  decide: (command: Command, state: State) => Event[];
};

/** An event as the deciders see it: a discriminated union member. Metadata (actor, client, IP...) is the store's. */
export type DomainEvent<Type extends string, Data> = { type: Type; data: Data };

export type FieldProblem = { field: string; message: string };

/**
 * Thrown by `decide` when a command is refused and nothing is recorded.
 * `code` is stable and machine-readable (e.g. `role.invalid`); `fields` names offending input fields.
 */
export class DomainRefusal extends Error {
  override readonly name = 'DomainRefusal';
  constructor(
    readonly code: string,
    message: string,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
  }
}

export function refuse(code: string, message: string, fields: FieldProblem[] = []): never {
  throw new DomainRefusal(code, message, fields);
}

/** Folds events into a state with a decider's evolve (what the event store helper does). */
export function fold<C, E, S>(decider: Decider<C, E, S>, events: readonly E[]): S {
  return events.reduce(decider.evolve, decider.initialState());
}
