import { Link, useLocation } from "@remix-run/react";
import { formatBytes } from "../lib/format.ts";
import type { JsonPreview } from "../lib/json-text.ts";

/**
 * A payload's preview, already masked and cut on the server: unrevealed data never reaches the
 * browser, and a payload of megabytes is shown as its start with a link to the whole of it.
 */
export function JsonView({
  preview,
  revealed,
  download,
}: {
  preview: JsonPreview;
  revealed: boolean;
  download: string;
}) {
  const location = useLocation();
  const params = new URLSearchParams(location.search);
  if (revealed) params.delete("reveal");
  else params.set("reveal", "1");
  const query = params.toString();
  return (
    <div>
      <div className="form-row">
        <span className="muted">
          {revealed
            ? "Addresses, numbers and secret fields shown."
            : "Addresses and numbers masked, secret fields hidden."}
        </span>
        <Link className="btn" to={`${location.pathname}${query ? `?${query}` : ""}`} replace>
          {revealed ? "Mask" : "Reveal"}
        </Link>
        {/* A plain link: the whole payload is a download, never rendered into a page. */}
        <a className="btn" href={download} download data-testid="download-json">
          {`Download JSON (${formatBytes(preview.bytes)})`}
        </a>
      </div>
      {preview.truncated ? (
        <p className="muted" data-testid="preview-note">
          {`Showing the first ${formatBytes(preview.text.length)} of ${formatBytes(preview.bytes)}. Download the JSON for the whole payload.`}
        </p>
      ) : null}
      <pre className="json" data-testid="payload">
        {preview.text}
      </pre>
    </div>
  );
}
