import { it } from "@effect/vitest"
import { SqlAnalysis } from "@genie-enhancer/core"
it("facts", () => {
  for (const sql of [
    "SELECT platform, AVG(daily_dau) AS avg_dau FROM ( SELECT s.event_date, s.platform, SUM(s.dau) AS daily_dau FROM main.gamekpi.daily_game_summary s WHERE year(s.event_date) = year(current_date()) GROUP BY s.event_date, s.platform ) d GROUP BY platform",
  ]) {
    const a = SqlAnalysis.analyze(sql)
    console.log(JSON.stringify(a, null, 1))
    for (const b of SqlAnalysis.queryBlocks(sql)) console.log("BLOCK", b, JSON.stringify(SqlAnalysis.analyze(b)))
  }
})
