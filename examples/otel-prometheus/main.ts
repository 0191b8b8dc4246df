// Serves a @stack cache's OpenTelemetry metrics to Prometheus on http://127.0.0.1:9464/metrics
// while it runs a made-up workload. `--check` runs briefly, then verifies that every metric
// the Grafana dashboard queries is exported, and exits.
import { readFileSync } from 'node:fs'
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus'
import { MeterProvider } from '@opentelemetry/sdk-metrics'
import { createCache, memory, memoryStore } from '@stack/core'
import { stackOtel } from '@stack/otel'
import { runTraffic } from './traffic.ts'

const port = Number(process.env.METRICS_PORT ?? 9464)
const check = process.argv.includes('--check')

const exporter = new PrometheusExporter({ host: '127.0.0.1', port: check ? 0 : port })
const meterProvider = new MeterProvider({ readers: [exporter] })
const otel = stackOtel({ meterProvider })

const cache = createCache({
  name: 'products',
  // A small memory tier in front of a "remote" one (use redisStore, pgStore... in real life).
  tiers: [memory({ maxEntries: 1_000 }), memoryStore()],
  ttl: '10s',
  staleWhileRevalidate: '5s',
  grace: '1m',
})
otel.observe(cache)

const traffic = new AbortController()
const running = runTraffic(cache, traffic.signal)

async function stop(): Promise<void> {
  traffic.abort()
  await running
  otel.shutdown()
  await cache.close()
  await meterProvider.shutdown()
}

if (check) {
  await new Promise((resolve) => setTimeout(resolve, 1_500))
  const response = await new Promise<string>((resolve) => {
    exporter.getMetricsRequestHandler(
      {} as never,
      { statusCode: 0, setHeader() {}, end: (body: string) => resolve(body) } as never,
    )
  })
  await stop()
  const dashboard = readFileSync(new URL('./grafana/dashboard.json', import.meta.url), 'utf8')
  // Metric names stand before a selector's `{`; label names before `=`, `!=`, `,` or `)`.
  const metrics = new Set(dashboard.match(/stack_cache_[a-z_]+(?=\{)/g))
  const labels = new Set(dashboard.match(/\b(?:stack_cache_[a-z_]+|error_type)(?=\s*(?:[=!,)]))/g))
  const missing = [
    ...[...metrics].filter((name) => !response.includes(`\n${name}{`)),
    ...[...labels].filter((label) => !metrics.has(label) && !response.includes(`${label}="`)),
  ]
  if (metrics.size === 0 || missing.length > 0) {
    console.error(`the dashboard queries names that are not exported: ${missing.join(', ')}`)
    process.exit(1)
  }
  console.log(
    `ok: the dashboard's ${metrics.size} metrics and ${labels.size} labels are all exported`,
  )
} else {
  console.log(`metrics on http://127.0.0.1:${port}/metrics (Ctrl-C to stop)`)
  process.once('SIGINT', () => void stop())
}
