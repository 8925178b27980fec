/**
 * The contract every `Asker` (the ask stage, a workspace target's Genie client) must keep, as checks any test runner
 * can run against an asker layer pointed at a workspace that answers one known question (`for (const c of
 * AskerContract.cases) it.live(c.name, () => c.run(MyTarget.askerLayer(), fixture))`).
 */
import { Effect, Either, Ref, Schema } from "effect"
import type { Layer } from "effect"
import { GenieAnswer } from "../model/Results.js"
import type { PendingMessage } from "../stages/ask/Asker.js"
import { Asker } from "../stages/ask/Asker.js"

/**
 * An asker layer under test.
 *
 * @category models
 */
export type AskerLayer = Layer.Layer<Asker, unknown>

/**
 * The workspace the asker talks to: a space, a question Genie answers there with SQL, and a space id that does not
 * exist.
 *
 * @category models
 */
export interface Fixture {
  readonly spaceId: string
  readonly question: string
  readonly unknownSpaceId: string
}

/** One contract check. @category models */
export interface Case {
  readonly name: string
  readonly run: (asker: AskerLayer, fixture: Fixture) => Effect.Effect<void, Error>
}

const check = (condition: boolean, message: string): Effect.Effect<void, Error> =>
  condition ? Effect.void : Effect.fail(new Error(message))

const withAsker = <A, E>(asker: AskerLayer, f: (a: Asker["Type"]) => Effect.Effect<A, E>) =>
  Effect.flatMap(Asker, f).pipe(
    Effect.provide(asker),
    Effect.mapError((e) => new Error(`the asker failed: ${(e as { message?: string }).message ?? String(e)}`))
  )

/** The checks. @category testing */
export const cases: ReadonlyArray<Case> = [
  {
    name: "answers a question with SQL, in a GenieAnswer that survives JSON",
    run: (asker, fixture) =>
      Effect.gen(function* () {
        const answer = yield* withAsker(asker, (a) => a.ask(fixture.spaceId, fixture.question))
        yield* check(answer.status === "COMPLETED", `expected COMPLETED, got ${answer.status}`)
        yield* check(typeof answer.sql === "string" && answer.sql !== "", "a completed answer has no SQL")
        yield* check(answer.attempts >= 1, `attempts must be at least 1, got ${answer.attempts}`)
        const json = JSON.parse(JSON.stringify(Schema.encodeSync(GenieAnswer)(answer))) as unknown
        yield* check(Schema.decodeUnknownSync(GenieAnswer)(json).sql === answer.sql, "the answer does not survive JSON")
      })
  },
  {
    name: "tells onAccepted once, with the space and message, before the answer",
    run: (asker, fixture) =>
      Effect.gen(function* () {
        const accepted = yield* Ref.make<ReadonlyArray<PendingMessage>>([])
        const answer = yield* withAsker(asker, (a) =>
          a.ask(fixture.spaceId, fixture.question, {
            onAccepted: (pending) => Ref.update(accepted, (all) => [...all, pending])
          })
        )
        const seen = yield* Ref.get(accepted)
        yield* check(seen.length === 1, `onAccepted was called ${seen.length} times`)
        yield* check(seen[0]?.spaceId === fixture.spaceId, "onAccepted named another space")
        yield* check(
          answer.messageId === undefined || answer.messageId === seen[0]?.messageId,
          "the answer is not for the accepted message"
        )
      })
  },
  {
    name: "resumes an accepted message without asking again, and releases a kept conversation",
    run: (asker, fixture) =>
      Effect.gen(function* () {
        const accepted = yield* Ref.make<PendingMessage | undefined>(undefined)
        const resumed = yield* withAsker(asker, (a) =>
          Effect.gen(function* () {
            const first = yield* a.ask(fixture.spaceId, fixture.question, {
              keepConversation: true,
              onAccepted: (pending) => Ref.set(accepted, pending)
            })
            const pending = yield* Ref.get(accepted)
            if (pending === undefined) return { first, again: undefined }
            const again = yield* a.resume(pending, { keepConversation: true })
            if (a.release !== undefined) yield* a.release(pending)
            return { first, again }
          })
        )
        yield* check(resumed.again !== undefined, "onAccepted was not called")
        yield* check(resumed.again?.status === "COMPLETED", `resume answered ${resumed.again?.status}`)
        yield* check(resumed.again?.sql === resumed.first.sql, "resume answered another message")
      })
  },
  {
    name: "a space that does not exist is a GenieError that is not retried, not a defect",
    run: (asker, fixture) =>
      Effect.gen(function* () {
        const result = yield* Effect.flatMap(Asker, (a) =>
          Effect.either(a.ask(fixture.unknownSpaceId, fixture.question))
        ).pipe(
          Effect.provide(asker),
          Effect.mapError((e) => new Error(`the asker layer failed: ${String(e)}`))
        )
        yield* check(Either.isLeft(result), "asking an unknown space succeeded")
        if (Either.isLeft(result)) {
          yield* check(result.left._tag === "GenieError", `expected GenieError, got ${result.left._tag}`)
          yield* check(!result.left.retryable, `an unknown space must not be retried (reason ${result.left.reason})`)
        }
      })
  }
]
