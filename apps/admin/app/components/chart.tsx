// Processed and failed over time as an inline SVG bar chart: no chart library, readable in both themes.
import { formatNumber } from "../lib/format.ts";

export interface ChartPoint {
  label: string;
  processed: number;
  failed: number;
}

const WIDTH = 600;
const HEIGHT = 150;
const PAD_LEFT = 0;
const PAD_BOTTOM = 2;

export function ThroughputChart({
  points,
  title,
  xStart,
  xEnd,
}: {
  points: ChartPoint[];
  title: string;
  xStart: string;
  xEnd: string;
}) {
  const max = Math.max(1, ...points.map((p) => p.processed + p.failed));
  const plotW = WIDTH - PAD_LEFT;
  const plotH = HEIGHT - PAD_BOTTOM;
  const step = plotW / Math.max(1, points.length);
  const barW = Math.max(1, step * 0.8);
  const y = (v: number) => plotH - (v / max) * (plotH - 8);
  const totalProcessed = points.reduce((s, p) => s + p.processed, 0);
  const totalFailed = points.reduce((s, p) => s + p.failed, 0);
  return (
    <figure className="chart">
      <figcaption>
        <span>{title}</span>
        <span className="chart-legend">
          <span className="legend-dot legend-processed" /> processed {formatNumber(totalProcessed)}
          <span className="legend-dot legend-failed" /> failed attempts {formatNumber(totalFailed)}
        </span>
      </figcaption>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`${title}: ${totalProcessed} processed, ${totalFailed} failed attempts`}
        preserveAspectRatio="none"
      >
        <line x1={PAD_LEFT} x2={WIDTH} y1={plotH} y2={plotH} className="chart-axis" />
        <line x1={PAD_LEFT} x2={WIDTH} y1={y(max)} y2={y(max)} className="chart-grid" />
        {points.map((p, i) => {
          const x = PAD_LEFT + i * step + (step - barW) / 2;
          const top = y(p.processed + p.failed);
          const mid = y(p.failed);
          return (
            <g key={p.label}>
              <title>{`${p.label}: ${p.processed} processed, ${p.failed} failed attempts`}</title>
              {p.processed > 0 ? (
                <rect x={x} y={top} width={barW} height={mid - top} className="bar-processed" />
              ) : null}
              {p.failed > 0 ? <rect x={x} y={mid} width={barW} height={plotH - mid} className="bar-failed" /> : null}
            </g>
          );
        })}
      </svg>
      <div className="chart-axis-labels" aria-hidden="true">
        <span>{xStart}</span>
        <span>peak {formatNumber(max)} per bar</span>
        <span>{xEnd}</span>
      </div>
    </figure>
  );
}

/** Minute points into fixed buckets ending now, so gaps show as empty bars rather than vanishing. */
export function bucketMinutes(
  series: { at: number; processed: number; failed: number }[],
  options: { minutes: number; bucketMinutes: number; now: number },
): ChartPoint[] {
  const bucketMs = options.bucketMinutes * 60_000;
  const end = Math.floor(options.now / 60_000) * 60_000 + 60_000;
  const count = Math.ceil(options.minutes / options.bucketMinutes);
  const start = end - count * bucketMs;
  const buckets = Array.from({ length: count }, (_, i) => ({
    label: new Date(start + i * bucketMs).toISOString().slice(11, 16),
    processed: 0,
    failed: 0,
  }));
  for (const point of series) {
    const index = Math.floor((point.at - start) / bucketMs);
    const bucket = buckets[index];
    if (!bucket) continue;
    bucket.processed += point.processed;
    bucket.failed += point.failed;
  }
  return buckets;
}
