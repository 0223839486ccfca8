import type { z } from 'zod';

/** Declares a method: its input schema plus the output type it resolves to (a phantom). */
export function method<Output>() {
  return <Input extends z.ZodType>(input: Input) => ({ input, output: undefined as unknown as Output });
}
