/**
 * Calling a served app's API from an end-to-end test, as the page does (token, JSON
 * envelope), and waiting until its tasks have finished.
 */
import type { ServedApp } from './web-server-process.js';

/** One API call; an error envelope is thrown, naming the method. */
export async function callApi<T = unknown>(served: ServedApp, method: string, input: unknown = {}): Promise<T> {
  const response = await fetch(`${served.url}api/call/${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${served.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as { ok: boolean; value: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${method}: ${body.error?.message}`);
  return body.value;
}

/** Resolves once no task is running; throws after `timeoutMs`. */
export async function waitForIdle(served: ServedApp, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const tasks = await callApi<Array<{ state: string }>>(served, 'listTasks');
    if (tasks.every((task) => task.state !== 'running')) return;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error('tasks did not finish');
}
