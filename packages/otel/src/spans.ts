import { tracingChannel } from 'node:diagnostics_channel'
import {
  type Attributes,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
} from '@opentelemetry/api'
import { type LoadTraceContext, type TierTraceContext, TRACING_CHANNELS } from '@stack/core'
import {
  ATTR_CACHE_NAME,
  ATTR_ERROR_TYPE,
  ATTR_KEY,
  ATTR_LOAD_BACKGROUND,
  ATTR_TIER,
  ATTR_TIER_OPERATION,
  errorType,
} from './attributes.js'

/** What a traced call's context object carries once it settles. */
type Settled = { error?: unknown }

interface SpanSpec<C> {
  readonly name: (ctx: C) => string
  readonly kind: SpanKind
  readonly attributes: (ctx: C) => Attributes
}

/**
 * Subscribes to one of core's `diagnostics_channel` tracing channels and turns each
 * traced call into a span: started when the call starts (a child of the caller's active
 * span), ended when its promise settles, with the error recorded on failure.
 */
function subscribe<C extends object>(
  channelName: string,
  tracer: Tracer,
  spec: SpanSpec<C>,
): () => void {
  const channel = tracingChannel<unknown, C & Settled>(channelName)
  const spans = new WeakMap<object, Span>()
  const finish = (ctx: C & Settled) => {
    const span = spans.get(ctx)
    if (span === undefined) return
    spans.delete(ctx)
    if ('error' in ctx) {
      const error = ctx.error
      span.setAttribute(ATTR_ERROR_TYPE, errorType(error))
      if (error instanceof Error) span.recordException(error)
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : String(error),
      })
    }
    span.end()
  }
  const handlers = {
    start(ctx: C & Settled) {
      const options = { kind: spec.kind, attributes: spec.attributes(ctx) }
      spans.set(ctx, tracer.startSpan(spec.name(ctx), options, context.active()))
    },
    // A synchronous throw publishes `error` then `end`, and no `asyncEnd`.
    end(ctx: C & Settled) {
      if ('error' in ctx) finish(ctx)
    },
    asyncStart() {},
    asyncEnd: finish,
    error() {},
  }
  channel.subscribe(handlers)
  return () => channel.unsubscribe(handlers)
}

/** Spans for loader calls (`load <cache>`) and remote tier operations (`<operation> <tier>`). */
export function subscribeSpans(tracer: Tracer, recordKeys: boolean): () => void {
  const withKey = (attributes: Attributes, key: string | undefined): Attributes =>
    recordKeys && key !== undefined ? { ...attributes, [ATTR_KEY]: key } : attributes
  const offLoad = subscribe<LoadTraceContext>(TRACING_CHANNELS.load, tracer, {
    name: (ctx) => `load ${ctx.cache}`,
    kind: SpanKind.INTERNAL,
    attributes: (ctx) =>
      withKey({ [ATTR_CACHE_NAME]: ctx.cache, [ATTR_LOAD_BACKGROUND]: ctx.background }, ctx.key),
  })
  const offTier = subscribe<TierTraceContext>(TRACING_CHANNELS.tier, tracer, {
    name: (ctx) => `${ctx.operation} ${ctx.tier}`,
    kind: SpanKind.CLIENT,
    attributes: (ctx) =>
      withKey(
        {
          [ATTR_CACHE_NAME]: ctx.cache,
          [ATTR_TIER]: ctx.tier,
          [ATTR_TIER_OPERATION]: ctx.operation,
        },
        ctx.key,
      ),
  })
  return () => {
    offLoad()
    offTier()
  }
}
