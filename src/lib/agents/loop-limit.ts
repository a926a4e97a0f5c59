/** The loop breaker's K (src/agent/loop-breaker.ts): identical tool calls or errors in a row before a pause. */
export const DEFAULT_LOOP_LIMIT = 3;
export const MIN_LOOP_LIMIT = 2;
export const MAX_LOOP_LIMIT = 20;
