// bench/ is not a workspace package and has no node_modules of its own, so Effect and its platform packages are
// taken from the core package's dependencies: the very files the built packages load (pnpm links them to one
// place), so the bench and the product share one Effect runtime.
export {
  Clock,
  Context,
  Duration,
  Effect,
  Layer,
  Logger,
  LogLevel,
  Random,
  Redacted,
  Scheduler
} from "../../packages/core/node_modules/effect/dist/esm/index.js"
export {
  FetchHttpClient,
  HttpClient,
  HttpClientRequest,
  HttpClientResponse
} from "../../packages/core/node_modules/@effect/platform/dist/esm/index.js"
export { NodeContext } from "../../packages/core/node_modules/@effect/platform-node/dist/esm/index.js"
