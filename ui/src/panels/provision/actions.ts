// What the Provision menu and views do. Runs act on the saved design file (the journal lives
// beside it), so each asks for a save first when the document has unsaved changes.
import { useUi } from "../../app/ui-store";
import { BackendError, type FileDesign, type Provider } from "../../ipc/backend";
import { provisionBackend, type RunReport } from "../../ipc/provision";
import { toDocument } from "../../model/document";
import { designStore, isDirty } from "../../store/design-store";
import { addLog, describeProvisionError, recordProgress, useProvision, type ProvisionView } from "./provision-store";

function message(error: unknown): string {
  return error instanceof BackendError ? describeProvisionError(error.error) : error instanceof Error ? error.message : String(error);
}

/** The saved file and its design, or `null` (with a notice) when there is none to act on. */
function savedTarget(what: string): { path: string; design: FileDesign } | null {
  const state = designStore.getState();
  if (!state.filePath) {
    useUi.getState().notify(`${what}: save the design to a file first; provisioning keeps its journal beside it.`, "error");
    return null;
  }
  if (isDirty(state)) {
    useUi.getState().notify(`${what}: save your changes first; provisioning works on the saved file.`, "error");
    return null;
  }
  return { path: state.filePath, design: toDocument(state.design) };
}

function show(view: ProvisionView): void {
  useProvision.setState({ view });
}

export function closeProvisionView(): void {
  show(null);
}

export async function loadCredentials(): Promise<void> {
  try {
    const credentials = await provisionBackend.credentialsStatus(useProvision.getState().account);
    useProvision.setState({ credentials, keyringProblem: null });
  } catch (error) {
    useProvision.setState({ credentials: null, keyringProblem: message(error) });
  }
}

export async function openCredentials(): Promise<void> {
  show("credentials");
  await loadCredentials();
}

function replaceStatus(status: { provider: Provider; hasCredentials?: boolean }): void {
  useProvision.setState((s) => ({
    credentials: (s.credentials ?? []).map((c) => (c.provider === status.provider ? { ...c, ...status } : c)),
  }));
}

/** Hands the token to the keyring; the caller clears its input whatever happens. */
export async function saveToken(provider: Provider, token: string): Promise<boolean> {
  try {
    replaceStatus(await provisionBackend.setCredentials(provider, useProvision.getState().account, token));
    useUi.getState().notify(`${provider} token stored in the OS keyring`, "success");
    return true;
  } catch (error) {
    useUi.getState().notify(message(error), "error");
    return false;
  }
}

export async function testToken(provider: Provider): Promise<boolean> {
  try {
    await provisionBackend.testCredentials(provider, useProvision.getState().account);
    useUi.getState().notify(`${provider} accepted the token`, "success");
    return true;
  } catch (error) {
    useUi.getState().notify(message(error), "error");
    return false;
  }
}

export async function deleteToken(provider: Provider): Promise<void> {
  try {
    replaceStatus(await provisionBackend.deleteCredentials(provider, useProvision.getState().account));
    useUi.getState().notify(`${provider} token removed from the OS keyring`);
  } catch (error) {
    useUi.getState().notify(message(error), "error");
  }
}

export async function planDesign(): Promise<void> {
  const target = savedTarget("Plan");
  if (!target) return;
  useProvision.setState({ view: "plan", planning: true, plan: null, blocking: [], planError: null });
  try {
    const plan = await provisionBackend.plan(target.path, target.design, useProvision.getState().account);
    useProvision.setState({ plan, planning: false });
  } catch (error) {
    const blocking = error instanceof BackendError && error.error.kind === "blockingFindings" ? error.error.detail : [];
    useProvision.setState({ planning: false, blocking, planError: message(error) });
  }
}

function summary(verb: string, report: RunReport): string {
  return `${verb}: ${report.created.length} created, ${report.updated.length} updated, ${report.replaced.length} replaced, ${report.deleted.length} deleted, ${report.adopted.length} adopted (${report.api_calls} API calls).`;
}

async function runWith(kind: "apply" | "destroy"): Promise<void> {
  if (useProvision.getState().running) return;
  const target = savedTarget(kind === "apply" ? "Apply" : "Destroy");
  if (!target) return;
  const verb = kind === "apply" ? "Apply" : "Destroy";
  useProvision.setState({ running: kind, resources: {}, drift: {}, view: null, logOpen: true });
  addLog(`${verb} of ${target.path} started`);
  try {
    const run = kind === "apply" ? provisionBackend.apply : provisionBackend.destroy;
    const report = await run(target.path, target.design, useProvision.getState().account, recordProgress);
    addLog(summary(verb, report), "success");
    useUi.getState().notify(`${verb} finished`, "success");
  } catch (error) {
    const text = message(error);
    addLog(`${verb} failed: ${text}`, "error");
    useUi.getState().notify(text, "error");
  } finally {
    useProvision.setState({ running: null, plan: null });
  }
}

export async function applyDesign(): Promise<void> {
  const { plan, blocking } = useProvision.getState();
  // Apply goes through a plan the user has seen, and never with blocking findings.
  if (!plan || blocking.length) {
    await planDesign();
    return;
  }
  await runWith("apply");
}

export async function openDestroy(): Promise<void> {
  const target = savedTarget("Destroy");
  if (!target) return;
  useProvision.setState({ view: "destroy", destroyTargets: null });
  try {
    const destroyTargets = await provisionBackend.destroyPreview(target.path, target.design, useProvision.getState().account);
    useProvision.setState({ destroyTargets });
  } catch (error) {
    useProvision.setState({ view: null });
    useUi.getState().notify(message(error), "error");
  }
}

export async function confirmDestroy(): Promise<void> {
  await runWith("destroy");
}

export async function cancelRun(): Promise<void> {
  if (await provisionBackend.cancel().catch(() => false)) addLog("Cancelling: requests in flight are stopped; what was created stays recorded.");
}

export async function refreshDrift(): Promise<void> {
  const target = savedTarget("Refresh");
  if (!target) return;
  try {
    const report = await provisionBackend.refresh(target.path, target.design, useProvision.getState().account);
    const drift: Record<string, typeof report.drift> = {};
    for (const item of report.drift) {
      if (!item.component) continue;
      (drift[item.component] ??= []).push(item);
    }
    useProvision.setState({ drift });
    for (const item of report.drift) addLog(`drift    ${item.kind.replace(/_/g, " ")}: ${item.key} — ${item.detail}`);
    useUi.getState().notify(report.drift.length ? `Refresh: ${report.drift.length} difference(s) from the design` : "Refresh: the providers match the design", report.drift.length ? "info" : "success");
  } catch (error) {
    useUi.getState().notify(message(error), "error");
  }
}
