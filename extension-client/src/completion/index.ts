// The vscode-free part of inline completion (the unit tests bundle this file).
export { AdaptiveDebounce, type DebounceOptions, type RequestOutcome } from './debounce';
export { chunkAround, ContextRing, cursorWindow, type ContextChunk, type LineSource } from './context';
export { CompletionEngine, type CompletionHost, type CompletionSettings, type CompletionTransport } from './engine';
