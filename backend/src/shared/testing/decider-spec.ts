/**
 * given/when/then for deciders, runner-agnostic (node:assert, so labs and benches can use it too):
 *
 *   const spec = deciderSpec(caseDecider);
 *   spec.given([caseOpened]).when(unlock).then([unlockRequested]);
 *   spec.given([]).when(badCommand).thenRefuses('role.invalid', ['priority']);
 *
 * `then` also folds the produced events with `evolve` (so every event a decider emits is one it can read back)
 * and returns the resulting state for extra checks. `thenRefuses` asserts a thrown DomainRefusal with that code
 * (and, optionally, exactly those field names).
 */
import assert from 'node:assert/strict';
import { type Decider, DomainRefusal } from '../decider';

export type DeciderSpecOptions = {
  /** When given, every emitted event type must have a schema version registered here. */
  schemaVersions?: Readonly<Record<string, number>>;
  /** Deep-copies given events through JSON, as a real store would, to catch Dates/undefined leaking into events. */
  roundTripJson?: boolean;
};

export type Outcome<Event, State> = {
  events: Event[];
  state: State;
};

export function deciderSpec<Command, Event extends { type: string }, State>(
  decider: Decider<Command, Event, State>,
  options: DeciderSpecOptions = {},
) {
  const roundTrip = options.roundTripJson ?? true;
  const asStored = (events: Event[]): Event[] => (roundTrip ? JSON.parse(JSON.stringify(events)) : events);

  return {
    given(given: Event[]) {
      const state = asStored(given).reduce(decider.evolve, decider.initialState());
      return {
        when(command: Command) {
          const run = (): Event[] => decider.decide(command, state);
          const check = (produced: Event[]): Outcome<Event, State> => {
            if (options.schemaVersions) {
              for (const event of produced) {
                assert.ok(
                  Number.isInteger(options.schemaVersions[event.type]),
                  `event type ${event.type} has no schema version`,
                );
              }
            }
            if (roundTrip) {
              assert.deepStrictEqual(asStored(produced), produced, 'events must survive a JSON round trip unchanged');
            }
            return { events: produced, state: produced.reduce(decider.evolve, state) };
          };
          return {
            /** Exactly these events, in this order. Never awaited: the spec helper is synchronous. */
            // biome-ignore lint/suspicious/noThenProperty: given/when/then is the point of this helper
            then(expected: Event[]): Outcome<Event, State> {
              const produced = run();
              assert.deepStrictEqual(produced, expected);
              return check(produced);
            },
            /** No events and no refusal (an idempotent no-op). */
            thenNothing(): Outcome<Event, State> {
              const produced = run();
              assert.deepStrictEqual(produced, []);
              return check(produced);
            },
            /** Events checked by the caller (for events containing values the spec cannot predict). */
            thenEvents(inspect: (events: Event[]) => void): Outcome<Event, State> {
              const produced = run();
              inspect(produced);
              return check(produced);
            },
            /** A thrown DomainRefusal with this code (and, when given, exactly these offending fields). */
            thenRefuses(code: string, fields?: string[]): DomainRefusal {
              let produced: Event[] | undefined;
              try {
                produced = run();
              } catch (error) {
                assert.ok(error instanceof DomainRefusal, `expected a DomainRefusal, got ${String(error)}`);
                assert.equal(error.code, code, `refusal code (message: ${error.message})`);
                assert.ok(error.message.length > 0, 'a refusal needs a human-readable message');
                if (fields) {
                  assert.deepStrictEqual(error.fields.map((f) => f.field).sort(), [...fields].sort());
                }
                return error;
              }
              assert.fail(`expected refusal ${code}, got events ${JSON.stringify(produced)}`);
            },
          };
        },
      };
    },
  };
}
