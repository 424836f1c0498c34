/** Types of `parse-prometheus-text-format` (the package ships none): Prometheus text → metric families. */
declare module 'parse-prometheus-text-format' {
  /** One metric family as parsed. */
  export interface MetricFamily {
    name: string;
    help: string;
    type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
    metrics: Array<{ value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; count?: string; sum?: string }>;
  }
  /** Parses Prometheus text format 0.0.4; throws on malformed input. */
  export default function parsePrometheusTextFormat(text: string): MetricFamily[];
}
