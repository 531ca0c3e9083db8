// Any URL no route knows: a 404 inside the app shell (navigation, login state), not a bare page.
import { data, type LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "../lib/session.server.ts";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  throw data({ message: `There is no page at ${new URL(request.url).pathname}.` }, { status: 404 });
}

export default function NotFound() {
  return null;
}
