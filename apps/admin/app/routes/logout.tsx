import { type ActionFunctionArgs, redirect } from "@remix-run/node";
import { assertSameOrigin, clientAddress } from "../lib/request-origin.server.ts";
import { destroyAdminSession, requireAdmin } from "../lib/session.server.ts";

// Logging out is a POST like every other change; a GET just goes back.
export async function loader() {
  throw redirect("/");
}

export async function action({ request, context }: ActionFunctionArgs) {
  const client = clientAddress(request, context);
  const intent = (await request.clone().formData()).get("intent");
  if (intent === "everywhere") {
    // Ending every operator's session is a change like any other: it takes a live session.
    await requireAdmin(request);
    console.warn(JSON.stringify({ msg: "admin logged out everywhere" }));
    return destroyAdminSession(request, { everywhere: true, client });
  }
  // Plain logout works without a checkable session (API down): the browser forgets it either way.
  assertSameOrigin(request);
  return destroyAdminSession(request, { everywhere: false, client });
}
