/**
 * The renderer's typed API client. Both transports (Electron preload, web mode)
 * return `ApiResult` envelopes; this unwraps them and throws `ApiError` with the
 * code, so state classes can branch on `error.code`.
 */
import type {
  ApiErrorPayload,
  ApiEvent,
  ApiResult,
  ImageRef,
  ImageVariant,
  SeshatApi,
} from '../../../src-shared/api/contract';
import type { ErrorCode } from '../../../src-shared/errors';

export class ApiError extends Error {
  readonly code: ErrorCode;
  constructor(payload: ApiErrorPayload) {
    super(payload.message);
    this.name = 'ApiError';
    this.code = payload.code;
  }
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface Transport {
  readonly kind: 'electron' | 'web';
  call(method: string, input: unknown): Promise<ApiResult<unknown>>;
  onEvent(listener: (event: ApiEvent) => void): () => void;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /** The URL of a catalog image of project `projectId`: it names the content, so it can be cached for good. */
  imageUrl(projectId: string, image: ImageRef, variant: ImageVariant): string;
}

/** A typed facade: `api.listTasks({})` → `Promise<TaskInfo[]>`. */
export function createApi(transport: Transport): SeshatApi {
  return new Proxy({} as SeshatApi, {
    get(_target, method) {
      if (typeof method !== 'string') return undefined;
      return async (input: unknown) => {
        const result = await transport.call(method, input ?? {});
        if (!result.ok) throw new ApiError(result.error);
        return result.value;
      };
    },
  });
}

/** Turns anything thrown into a payload the UI can show. */
export function errorPayload(error: unknown): ApiErrorPayload {
  if (error instanceof ApiError) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}
