// Re-exported so tests and benchmarks share one harness (bench/ must not import from tests/).
export * from "../../scripts/lib/harness/chat-socket.ts";
