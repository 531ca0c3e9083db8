import { Link, useLocation } from "@remix-run/react";

/** Payload as formatted JSON. Masking happens on the server, so unrevealed data never reaches the browser. */
export function JsonView({ value, revealed }: { value: unknown; revealed: boolean }) {
  const location = useLocation();
  const params = new URLSearchParams(location.search);
  if (revealed) params.delete("reveal");
  else params.set("reveal", "1");
  const query = params.toString();
  return (
    <div>
      <div className="form-row">
        <span className="muted">{revealed ? "Addresses and numbers shown." : "Addresses and numbers are masked."}</span>
        <Link className="btn" to={`${location.pathname}${query ? `?${query}` : ""}`} replace>
          {revealed ? "Mask" : "Reveal"}
        </Link>
      </div>
      <pre className="json">{JSON.stringify(value, null, 2)}</pre>
    </div>
  );
}
