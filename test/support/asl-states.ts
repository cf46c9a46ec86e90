export type State = Record<string, unknown> & {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
};

/** Every state of a definition, Parallel branches included, by name. */
export function allStates(definition: { States: Record<string, unknown> }): Record<string, State> {
  const states: Record<string, State> = {};
  for (const [name, raw] of Object.entries(definition.States)) {
    const state = raw as State;
    states[name] = state;
    for (const branch of (state.Branches as { States: Record<string, unknown> }[] | undefined) ?? []) {
      Object.assign(states, allStates(branch));
    }
  }
  return states;
}
