// What a login may do (issue 15, roles). Shared by the server guard and the pages that hide
// buttons; the guard is what enforces it, hiding is only courtesy.
export type Role = "admin" | "viewer";

export function canChange(role: Role | undefined): boolean {
  return role === "admin";
}
