import type { z } from 'zod';

/** What a call can change in the open project; the renderer re-reads what a change names. */
export type CatalogChange = 'images' | 'labels' | 'classes' | 'splits' | 'predictions' | 'runs';

export interface MethodEffects {
  /** Changes the call itself makes: the dispatcher announces them after it succeeds. */
  changes?: readonly CatalogChange[];
  /** A task-starting call: changes its task makes, announced when the task ends (done or cancelled). */
  taskChanges?: readonly CatalogChange[];
}

/**
 * Declares a method: its input schema, the output type it resolves to (a phantom), and
 * the changes it causes. Effects are declared here, next to the method, and announced by
 * the dispatcher, so no handler can forget to say what it changed.
 */
export function method<Output>() {
  return <Input extends z.ZodType>(input: Input, effects: MethodEffects = {}) => ({
    input,
    output: undefined as unknown as Output,
    changes: effects.changes ?? [],
    taskChanges: effects.taskChanges ?? [],
  });
}
