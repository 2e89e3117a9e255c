// The top bar's Provision menu. Item shape matches TopBar's MenuItem.
import { applyDesign, openCredentials, openDestroy, openLink, planDesign, refreshDrift } from "./actions";
import { useProvision } from "./provision-store";

export function provisionMenuItems(): ({ label: string; run: () => void; disabled?: boolean; testId?: string } | "separator")[] {
  const running = useProvision.getState().running !== null;
  // Only a design whose connections cross providers or regions has tunnels to link.
  const link = useProvision.getState().tunnels.length > 0 ? [{ label: "Link tunnels…", run: () => void openLink(), disabled: running, testId: "menu-provision-link" }] : [];
  return [
    { label: "Credentials…", run: () => void openCredentials(), testId: "menu-provision-credentials" },
    "separator",
    { label: "Plan…", run: () => void planDesign(), disabled: running, testId: "menu-provision-plan" },
    { label: "Apply", run: () => void applyDesign(), disabled: running, testId: "menu-provision-apply" },
    ...link,
    { label: "Destroy…", run: () => void openDestroy(), disabled: running, testId: "menu-provision-destroy" },
    "separator",
    { label: "Refresh", run: () => void refreshDrift(), disabled: running, testId: "menu-provision-refresh" },
    { label: "Show log", run: () => useProvision.setState({ logOpen: true }), testId: "menu-provision-log" },
  ];
}

/** The Provision menu's items, re-rendering its host when a run starts or ends and when the
 *  design gains or loses tunnels (both change the items). */
export function useProvisionMenuItems(): ReturnType<typeof provisionMenuItems> {
  useProvision((s) => s.running);
  useProvision((s) => s.tunnels.length > 0);
  return provisionMenuItems();
}
