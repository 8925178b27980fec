/** Routes of the model-serving endpoints (databricks-api.md §7). */
import { Effect } from "effect"
import * as Http from "../Http.js"
import type { Serving } from "../Serving.js"

/** The serving endpoints. */
export const routes = (serving: Serving): ReadonlyArray<Http.Route> => [
  Http.route("POST", "/serving-endpoints/chat/completions", "serving", (request) =>
    Http.jsonBody(request).pipe(
      Effect.flatMap((body) => serving.complete(undefined, body)),
      Effect.map((json) => Http.json(json))
    )
  ),
  Http.route("POST", "/serving-endpoints/:name/invocations", "serving", (request) =>
    Http.jsonBody(request).pipe(
      Effect.flatMap((body) => serving.complete(request.params.name, body)),
      Effect.map((json) => Http.json(json))
    )
  )
]
