// The main navigation, in one list: a page added here shows up in the top bar and the phone menu.

export interface NavItem {
  to: string;
  label: string;
  /** Shown only outside production (the dev tools routes do not exist there). */
  devOnly?: boolean;
}

export const NAV: readonly NavItem[] = [
  { to: "/", label: "Overview" },
  { to: "/retrying", label: "Retrying" },
  { to: "/dead-letters", label: "Dead letters" },
  { to: "/search", label: "Search" },
  { to: "/messages", label: "Messages" },
  { to: "/webhooks", label: "Webhooks" },
  { to: "/history", label: "History" },
  { to: "/workers", label: "Workers" },
  { to: "/batches", label: "Batches" },
  { to: "/contacts", label: "Contacts" },
  { to: "/campaigns", label: "Campaigns" },
  { to: "/schedules", label: "Schedules" },
  { to: "/templates", label: "Templates" },
  { to: "/template-store", label: "Stored templates" },
  { to: "/suppressions", label: "Suppressions" },
  { to: "/redis", label: "Redis" },
  { to: "/audit", label: "Audit" },
  { to: "/dev-tools", label: "Dev tools", devOnly: true },
];

export function navItems({ devTools }: { devTools: boolean }): NavItem[] {
  return NAV.filter((item) => devTools || !item.devOnly);
}
