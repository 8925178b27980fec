/**
 * A Genie engine that answers from a fixture map: question text → SQL answer, text-only reply, failure or a
 * completed message without attachments.
 */
import type { Errors } from "@genie-enhancer/core"
import { Effect, Schema } from "effect"
import * as GenieEngine from "./GenieEngine.js"
import * as Yaml from "./internal/Yaml.js"

/**
 * One scripted answer. Give `sql` (optionally with `text`, `title`, `suggestedQuestions`, `corrections`), or only
 * `text`, or `failed`, or `attachments: none`.
 *
 * @category models
 */
export const ScriptedAnswer = Schema.Struct({
  question: Schema.String,
  sql: Schema.optionalWith(Schema.String, { exact: true }),
  text: Schema.optionalWith(Schema.String, { exact: true }),
  title: Schema.optionalWith(Schema.String, { exact: true }),
  description: Schema.optionalWith(Schema.String, { exact: true }),
  suggestedQuestions: Schema.optionalWith(Schema.Array(Schema.String), { exact: true }),
  corrections: Schema.optionalWith(Schema.Array(Schema.String), { exact: true }),
  failed: Schema.optionalWith(
    Schema.Struct({
      type: GenieEngine.MessageErrorType,
      message: Schema.optionalWith(Schema.String, { exact: true })
    }),
    { exact: true }
  ),
  attachments: Schema.optionalWith(Schema.Literal("none"), { exact: true })
}).pipe(
  Schema.filter((a) =>
    [a.sql, a.failed, a.attachments].filter((x) => x !== undefined).length > 1
      ? "give only one of sql, failed or attachments: none"
      : a.sql === undefined && a.failed === undefined && a.attachments === undefined && a.text === undefined
        ? "expected sql, text, failed or attachments: none"
        : undefined
  )
)
export type ScriptedAnswer = typeof ScriptedAnswer.Type

/** A scripted answers file: a YAML list of answers. @category models */
export const ScriptedAnswers = Schema.Array(ScriptedAnswer)

/** Questions match ignoring case, surrounding space and repeated spaces. @category constructors */
export const normalize = (question: string): string => question.trim().replace(/\s+/g, " ").toLowerCase()

/** The reply a scripted answer stands for. @category constructors */
export const toReply = (answer: ScriptedAnswer): GenieEngine.Reply => {
  if (answer.sql !== undefined) {
    return GenieEngine.Reply.Sql({
      sql: answer.sql,
      ...(answer.text === undefined ? {} : { text: answer.text }),
      ...(answer.title === undefined ? {} : { title: answer.title }),
      ...(answer.description === undefined ? {} : { description: answer.description }),
      ...(answer.suggestedQuestions === undefined ? {} : { suggestedQuestions: answer.suggestedQuestions }),
      ...(answer.corrections === undefined ? {} : { corrections: answer.corrections })
    })
  }
  if (answer.failed !== undefined) {
    return GenieEngine.Reply.Failed({
      type: answer.failed.type,
      message: answer.failed.message ?? `Genie failed with ${answer.failed.type}.`
    })
  }
  if (answer.attachments === "none") return GenieEngine.Reply.NoAttachments()
  return GenieEngine.Reply.Text({ text: answer.text ?? "" })
}

/**
 * An engine answering the scripted questions and passing every other question to `fallback` (default: a text-only
 * "cannot answer" reply).
 *
 * @category constructors
 */
export const make = (
  answers: ReadonlyArray<ScriptedAnswer>,
  fallback: GenieEngine.GenieEngine = GenieEngine.unanswerable
): GenieEngine.GenieEngine => {
  const byQuestion = new Map(answers.map((a) => [normalize(a.question), toReply(a)]))
  return {
    name: "scripted",
    answer: (question) => {
      const reply = byQuestion.get(normalize(question.question))
      return reply === undefined ? fallback.answer(question) : Effect.succeed(reply)
    }
  }
}

/**
 * Reads a scripted answers file (YAML list); errors name the file, the path and the line.
 *
 * @category constructors
 */
export const load: (file: string) => Effect.Effect<ReadonlyArray<ScriptedAnswer>, Errors.ConfigInvalid> = Effect.fn(
  "ScriptedEngine.load"
)(function* (file: string) {
  return yield* Yaml.load(ScriptedAnswers, file)
})
