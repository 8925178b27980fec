/**
 * The HTML report's own script, run in the browser: draws the charts (Chart.js, inlined before it) from the
 * embedded report data and wires the benchmark table's search and filters.
 *
 * It is shipped as `client.toString()`, so it must stay self-contained: no imports, no references to anything
 * outside its body (types are fine, they are erased).
 */

interface ClientScore {
  readonly score: number | null
  readonly low: number | null
  readonly high: number | null
}
interface ClientGroup extends ClientScore {
  readonly name: string
}
interface ClientCount {
  readonly name: string
  readonly count: number
}
interface ClientData {
  readonly score: {
    readonly byCategory: ReadonlyArray<ClientGroup>
    readonly byDifficulty: ReadonlyArray<ClientGroup>
    readonly verdicts: ReadonlyArray<ClientCount>
    readonly failureCategories: ReadonlyArray<ClientCount>
    readonly reasons: ReadonlyArray<ClientCount>
  }
  readonly enhance?: {
    readonly iterations: ReadonlyArray<{
      readonly index: number
      readonly label?: string
      readonly train?: ClientScore
      readonly holdout?: ClientScore
    }>
    readonly llm?: {
      readonly byStage: ReadonlyArray<{
        readonly name: string
        readonly inputTokens: number
        readonly outputTokens: number
        readonly costUsd?: number
      }>
    }
    readonly stageTimes: ReadonlyArray<{ readonly stage: string; readonly ms: number }>
  }
  readonly comparison?: {
    readonly byCategory: ReadonlyArray<{
      readonly name: string
      readonly before: number | null
      readonly after: number | null
    }>
  }
}
type ChartConstructor = new (canvas: HTMLCanvasElement, config: unknown) => unknown

export function client(): void {
  const source = document.getElementById("report-data")
  const data = JSON.parse(source?.textContent ?? "{}") as ClientData
  const w = window as unknown as { Chart?: ChartConstructor; reportCharts?: Array<unknown> }
  const charts: Array<unknown> = []
  w.reportCharts = charts
  const colors: Record<string, string> = {
    pass: "#16a34a",
    fail: "#dc2626",
    error: "#d97706",
    excluded: "#6b7280",
    inconclusive: "#7c3aed"
  }
  const palette = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#6b7280"]
  const pct = (x: number | null | undefined) => (x === null || x === undefined ? null : Math.round(x * 1000) / 10)
  const percentAxis = { min: 0, max: 100, ticks: { callback: (v: number | string) => `${v}%` } }
  const base = { animation: false, responsive: true, maintainAspectRatio: false }

  const draw = (id: string, config: unknown) => {
    const canvas = document.getElementById(id)
    if (!(canvas instanceof HTMLCanvasElement) || w.Chart === undefined) return
    charts.push(new w.Chart(canvas, config))
  }

  const accuracy = (id: string, groups: ReadonlyArray<ClientGroup>) =>
    draw(id, {
      type: "bar",
      data: {
        labels: groups.map((g) => g.name),
        datasets: [
          {
            type: "bar",
            label: "95% CI",
            data: groups.map((g) => (g.low === null ? null : [pct(g.low), pct(g.high)])),
            backgroundColor: "rgba(37, 99, 235, 0.25)",
            borderColor: "rgba(37, 99, 235, 0.6)",
            borderWidth: 1,
            order: 2
          },
          {
            type: "line",
            label: "Accuracy",
            data: groups.map((g) => pct(g.score)),
            showLine: false,
            pointRadius: 6,
            pointHoverRadius: 8,
            backgroundColor: "#1d4ed8",
            borderColor: "#1d4ed8",
            order: 1
          }
        ]
      },
      options: { ...base, scales: { y: percentAxis } }
    })

  const counts = (id: string, items: ReadonlyArray<ClientCount>, color: string) =>
    draw(id, {
      type: "bar",
      data: {
        labels: items.map((c) => c.name),
        datasets: [{ label: "Benchmarks", data: items.map((c) => c.count), backgroundColor: color }]
      },
      options: { ...base, indexAxis: "y", plugins: { legend: { display: false } } }
    })

  accuracy("chart-category", data.score.byCategory)
  accuracy("chart-difficulty", data.score.byDifficulty)
  draw("chart-verdicts", {
    type: "doughnut",
    data: {
      labels: data.score.verdicts.map((v) => v.name),
      datasets: [
        {
          data: data.score.verdicts.map((v) => v.count),
          backgroundColor: data.score.verdicts.map((v) => colors[v.name] ?? "#6b7280")
        }
      ]
    },
    options: { ...base, plugins: { legend: { position: "right" } } }
  })
  counts("chart-failures", data.score.failureCategories, "#dc2626")
  counts("chart-reasons", data.score.reasons, "#d97706")

  const comparison = data.comparison
  if (comparison !== undefined) {
    draw("chart-comparison", {
      type: "bar",
      data: {
        labels: comparison.byCategory.map((g) => g.name),
        datasets: [
          { label: "Baseline", data: comparison.byCategory.map((g) => pct(g.before)), backgroundColor: "#9ca3af" },
          { label: "This run", data: comparison.byCategory.map((g) => pct(g.after)), backgroundColor: "#2563eb" }
        ]
      },
      options: { ...base, scales: { y: percentAxis } }
    })
  }

  const enhance = data.enhance
  if (enhance !== undefined) {
    const its = [...enhance.iterations].sort((a, b) => a.index - b.index)
    draw("chart-iterations", {
      type: "line",
      data: {
        labels: its.map((i) => i.label ?? (i.index === 0 ? "baseline" : `iteration ${i.index}`)),
        datasets: [
          { label: "Train", data: its.map((i) => pct(i.train?.score)), borderColor: "#2563eb", spanGaps: true },
          {
            label: "Holdout",
            data: its.map((i) => pct(i.holdout?.score)),
            borderColor: "#16a34a",
            pointRadius: 6,
            spanGaps: true
          }
        ]
      },
      options: { ...base, scales: { y: percentAxis } }
    })
    const stages = enhance.llm?.byStage ?? []
    draw("chart-tokens", {
      type: "bar",
      data: {
        labels: stages.map((s) => s.name),
        datasets: [
          { label: "Input tokens", data: stages.map((s) => s.inputTokens), backgroundColor: palette[0] },
          { label: "Output tokens", data: stages.map((s) => s.outputTokens), backgroundColor: palette[4] }
        ]
      },
      options: { ...base, scales: { x: { stacked: true }, y: { stacked: true } } }
    })
    draw("chart-stages", {
      type: "bar",
      data: {
        labels: enhance.stageTimes.map((s) => s.stage),
        datasets: [
          {
            label: "Seconds",
            data: enhance.stageTimes.map((s) => Math.round(s.ms / 100) / 10),
            backgroundColor: palette[5]
          }
        ]
      },
      options: { ...base, indexAxis: "y", plugins: { legend: { display: false } } }
    })
  }

  // The benchmark table: search, filters, and rows that open their details.
  const bodies = Array.from(document.querySelectorAll<HTMLElement>("tbody.bench"))
  const search = document.getElementById("search") as HTMLInputElement | null
  const selects = Array.from(document.querySelectorAll<HTMLSelectElement>("select[data-filter]"))
  const shown = document.getElementById("shown-count")
  const texts = bodies.map((b) => (b.textContent ?? "").toLowerCase())
  const apply = () => {
    const query = (search?.value ?? "").trim().toLowerCase()
    let visible = 0
    bodies.forEach((body, i) => {
      const matches =
        (query === "" || (texts[i] ?? "").includes(query)) &&
        selects.every((s) => s.value === "" || body.dataset[s.dataset["filter"] ?? ""] === s.value)
      body.hidden = !matches
      if (matches) visible++
    })
    if (shown !== null) shown.textContent = `${visible} of ${bodies.length} benchmarks`
  }
  search?.addEventListener("input", apply)
  for (const s of selects) s.addEventListener("change", apply)
  for (const body of bodies) {
    const summary = body.querySelector<HTMLElement>("tr.summary")
    const detail = body.querySelector<HTMLElement>("tr.detail")
    summary?.addEventListener("click", () => {
      if (detail === null) return
      detail.hidden = !detail.hidden
      summary.setAttribute("aria-expanded", String(!detail.hidden))
    })
  }
  document.getElementById("expand-all")?.addEventListener("click", () => {
    const open = bodies.some((b) => b.querySelector<HTMLElement>("tr.detail")?.hidden === true)
    for (const b of bodies) {
      const detail = b.querySelector<HTMLElement>("tr.detail")
      if (detail !== null) detail.hidden = !open
    }
  })
  apply()
}
