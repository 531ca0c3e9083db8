import { type ActionFunctionArgs, redirect } from "@remix-run/node";
import { destroyAdminSession, requireAdmin } from "../lib/session.server.ts";

// Logging out is a POST like every other change; a GET just goes back.
export async function loader() {
  throw redirect("/");
}

export async function action({ request }: ActionFunctionArgs) {
  await requireAdmin(request);
  return destroyAdminSession(request);
}
