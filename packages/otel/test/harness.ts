import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'

/** A real SDK meter provider whose metrics land in an InMemoryMetricExporter on demand. */
export function metricHarness() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })
  const meterProvider = new MeterProvider({ readers: [reader] })
  return {
    meterProvider,
    /** Collects now; returns the data points of `name` (from the latest export). */
    async points(name: string): Promise<DataPoint<number | Histogram>[]> {
      exporter.reset()
      await reader.forceFlush()
      const metrics = exporter.getMetrics().flatMap((resource) => resource.scopeMetrics)
      return metrics
        .flatMap((scope) => scope.metrics)
        .filter((metric) => metric.descriptor.name === name)
        .flatMap((metric) => metric.dataPoints as DataPoint<number | Histogram>[])
    },
    /** The value of the one point of `name` whose attributes include `attributes`. */
    async value(name: string, attributes: Record<string, unknown>): Promise<number | undefined> {
      const matching = (await this.points(name)).filter((point) =>
        Object.entries(attributes).every(([key, value]) => point.attributes[key] === value),
      )
      if (matching.length > 1) throw new Error(`${matching.length} points of ${name} match`)
      return matching[0]?.value as number | undefined
    },
    shutdown: () => meterProvider.shutdown(),
  }
}

/** A real SDK tracer provider exporting every ended span to an InMemorySpanExporter. */
export function spanHarness() {
  const exporter = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  })
  return {
    tracerProvider,
    spans: (): ReadableSpan[] => exporter.getFinishedSpans(),
    shutdown: () => tracerProvider.shutdown(),
  }
}
