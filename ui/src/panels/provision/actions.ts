// What the Provision menu and views do. Runs act on the saved design file (the journal lives
// beside it), so each asks for a save first when the document has unsaved changes.
import { useUi } from "../../app/ui-store";
import { focusComponents } from "../../canvas/canvas-api";
import { BackendError, type Design, type FileDesign, type Provider } from "../../ipc/backend";
import {
  choosePrivateKeyFile,
  choosePublicKeyFile,
  loadProvisionSettings,
  provisionBackend,
  saveProvisionSettings,
  type CredentialStatus,
  type LinkEvent,
  type RunOptions,
  type RunReport,
} from "../../ipc/provision";
import { toDocument } from "../../model/document";
import { designStore, isDirty, type DesignState } from "../../store/design-store";
import { addLog, describeProvisionError, recordProgress, useProvision, type LinkProblem, type ProvisionView } from "./provision-store";
import { checkPublicKey } from "./ssh-key";

export const PROVIDERS: Provider[] = ["hetzner", "digitalocean", "aws"];
export const DEFAULT_ACCOUNT = "default";

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

/** Selects a component a plan or log line is about and brings it into view on the canvas. */
export function showComponent(component: string | null | undefined): void {
  if (!component || !designStore.getState().design.components.some((c) => c.id === component)) return;
  designStore.getState().select({ nodes: [component], edges: [] });
  focusComponents([component]);
}

export function closeProvisionView(): void {
  show(null);
}

/** The account `provider` uses: the chosen one, else the default. */
export function accountOf(provider: Provider): string {
  return useProvision.getState().selectedAccounts[provider] ?? DEFAULT_ACCOUNT;
}

/** The account argument of a credentials command: `null` means the default account. */
function accountArg(provider: Provider): string | null {
  const account = accountOf(provider);
  return account === DEFAULT_ACCOUNT ? null : account;
}

/** What every run sends besides the design: accounts per provider and the SSH public key. */
export function runOptions(): RunOptions {
  const { selectedAccounts, sshPublicKey, adminCidr } = useProvision.getState();
  const accounts = PROVIDERS.filter((p) => selectedAccounts[p] && selectedAccounts[p] !== DEFAULT_ACCOUNT).map((provider) => ({ provider, account: selectedAccounts[provider] as string }));
  // The admin address goes with every run: an apply without it would close SSH again.
  return { accounts, sshPublicKey, adminCidr: adminCidr.trim() || null };
}

/** Reads the remembered accounts and SSH key once per session (a store failure is not fatal). */
export async function ensureSettings(): Promise<void> {
  if (useProvision.getState().settingsLoaded) return;
  const saved = await loadProvisionSettings().catch(() => null);
  useProvision.setState({
    settingsLoaded: true,
    knownAccounts: saved?.accounts ?? {},
    selectedAccounts: saved?.selected ?? {},
    // A stored value is checked again: nothing but a public key is ever used.
    sshPublicKey: saved?.sshPublicKey && checkPublicKey(saved.sshPublicKey).ok ? saved.sshPublicKey : null,
    adminCidr: saved?.adminCidr ?? "",
    sshUser: saved?.sshUser || "root",
    identityFile: saved?.identityFile ?? "",
  });
}

async function persistSettings(): Promise<void> {
  const { knownAccounts, selectedAccounts, sshPublicKey, adminCidr, sshUser, identityFile } = useProvision.getState();
  await saveProvisionSettings({ accounts: knownAccounts, selected: selectedAccounts, sshPublicKey, adminCidr: adminCidr || null, sshUser, identityFile: identityFile || null }).catch((error: unknown) =>
    useUi.getState().notify(`Could not remember the provisioning settings: ${message(error)}`, "error"),
  );
}

/** The accounts the dialog lists for `provider`: the default, the remembered ones, the chosen one. */
export function accountsOf(provider: Provider): string[] {
  const { knownAccounts, selectedAccounts } = useProvision.getState();
  const names = [DEFAULT_ACCOUNT, ...(knownAccounts[provider] ?? []), selectedAccounts[provider] ?? DEFAULT_ACCOUNT];
  return [...new Set(names)];
}

export async function loadCredentials(): Promise<void> {
  await ensureSettings();
  try {
    // The keyring answers per account name; ask once per name any provider lists.
    const names = [...new Set(PROVIDERS.flatMap(accountsOf))];
    const answers = await Promise.all(names.map((name) => provisionBackend.credentialsStatus(name === DEFAULT_ACCOUNT ? null : name)));
    const credentials: CredentialStatus[] = answers
      .flat()
      .filter((c) => accountsOf(c.provider).includes(c.account) || c.hasCredentials)
      .sort((a, b) => PROVIDERS.indexOf(a.provider) - PROVIDERS.indexOf(b.provider) || a.account.localeCompare(b.account));
    useProvision.setState({ credentials, keyringProblem: null });
  } catch (error) {
    useProvision.setState({ credentials: null, keyringProblem: message(error) });
  }
}

export async function openCredentials(): Promise<void> {
  show("credentials");
  await loadCredentials();
}

const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Chooses the account `provider` uses for runs (adding the name when new) and remembers it. */
export async function selectAccount(provider: Provider, name: string): Promise<boolean> {
  const account = name.trim();
  if (!ACCOUNT_NAME.test(account)) {
    useUi.getState().notify(`“${account}” is not an account name: use letters, digits, dot, dash or underscore (up to 64).`, "error");
    return false;
  }
  useProvision.setState((s) => ({
    selectedAccounts: { ...s.selectedAccounts, [provider]: account },
    knownAccounts: account === DEFAULT_ACCOUNT || s.knownAccounts[provider]?.includes(account) ? s.knownAccounts : { ...s.knownAccounts, [provider]: [...(s.knownAccounts[provider] ?? []), account] },
  }));
  await persistSettings();
  await loadCredentials();
  return true;
}

function replaceStatus(status: CredentialStatus): void {
  useProvision.setState((s) => {
    const others = (s.credentials ?? []).filter((c) => !(c.provider === status.provider && c.account === status.account));
    return { credentials: [...others, status].sort((a, b) => PROVIDERS.indexOf(a.provider) - PROVIDERS.indexOf(b.provider) || a.account.localeCompare(b.account)) };
  });
}

/** Hands the token to the keyring under the provider's chosen account; the caller clears its input whatever happens. */
export async function saveToken(provider: Provider, token: string): Promise<boolean> {
  try {
    replaceStatus(await provisionBackend.setCredentials(provider, accountArg(provider), token));
    useUi.getState().notify(`${provider} token for account “${accountOf(provider)}” stored in the OS keyring`, "success");
    return true;
  } catch (error) {
    useUi.getState().notify(message(error), "error");
    return false;
  }
}

export async function testToken(provider: Provider): Promise<boolean> {
  try {
    await provisionBackend.testCredentials(provider, accountArg(provider));
    useUi.getState().notify(`${provider} accepted the token of account “${accountOf(provider)}”`, "success");
    return true;
  } catch (error) {
    useUi.getState().notify(message(error), "error");
    return false;
  }
}

export async function deleteToken(provider: Provider): Promise<void> {
  try {
    replaceStatus(await provisionBackend.deleteCredentials(provider, accountArg(provider)));
    useUi.getState().notify(`${provider} token of account “${accountOf(provider)}” removed from the OS keyring`);
  } catch (error) {
    useUi.getState().notify(message(error), "error");
  }
}

/** Keeps `text` as the SSH public key when it is one; refuses anything else (a private key above all). */
export async function setSshPublicKey(text: string): Promise<boolean> {
  const check = checkPublicKey(text);
  if (!check.ok) {
    useUi.getState().notify(check.reason, "error");
    return false;
  }
  useProvision.setState({ sshPublicKey: check.key });
  await persistSettings();
  useUi.getState().notify("SSH public key saved: it is installed on every server Stagecraft creates", "success");
  return true;
}

/** Lets the user pick a `.pub` file; the shell reads and checks it (a private key is refused there). */
export async function pickSshPublicKey(): Promise<boolean> {
  try {
    const path = await choosePublicKeyFile();
    if (!path) return false;
    return await setSshPublicKey(await provisionBackend.readPublicKey(path));
  } catch (error) {
    useUi.getState().notify(message(error), "error");
    return false;
  }
}

export async function clearSshPublicKey(): Promise<void> {
  useProvision.setState({ sshPublicKey: null });
  await persistSettings();
}

export async function planDesign(): Promise<void> {
  const target = savedTarget("Plan");
  if (!target) return;
  await ensureSettings();
  useProvision.setState({ view: "plan", planning: true, plan: null, blocking: [], planError: null });
  try {
    const plan = await provisionBackend.plan(target.path, target.design, runOptions());
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
  await ensureSettings();
  const verb = kind === "apply" ? "Apply" : "Destroy";
  useProvision.setState({ running: kind, resources: {}, drift: {}, view: null, logOpen: true });
  addLog(`${verb} of ${target.path} started`);
  try {
    const run = kind === "apply" ? provisionBackend.apply : provisionBackend.destroy;
    const report = await run(target.path, target.design, runOptions(), recordProgress);
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
  await ensureSettings();
  useProvision.setState({ view: "destroy", destroyTargets: null });
  try {
    const destroyTargets = await provisionBackend.destroyPreview(target.path, target.design, runOptions());
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
  await ensureSettings();
  try {
    const report = await provisionBackend.refresh(target.path, target.design, runOptions());
    const drift: Record<string, typeof report.drift> = {};
    for (const item of report.drift) {
      if (!item.component) continue;
      (drift[item.component] ??= []).push(item);
    }
    useProvision.setState({ drift });
    for (const item of report.drift) addLog(`drift    ${item.kind.replace(/_/g, " ")}: ${item.key} — ${item.detail}`, "info", item.component);
    useUi.getState().notify(report.drift.length ? `Refresh: ${report.drift.length} difference(s) from the design` : "Refresh: the providers match the design", report.drift.length ? "info" : "success");
  } catch (error) {
    useUi.getState().notify(message(error), "error");
  }
}

/** Asks the shell which connections WireGuard tunnels carry; an answer for an older design is dropped. */
export async function refreshTunnels(design: Design = designStore.getState().design): Promise<void> {
  try {
    const tunnels = await provisionBackend.tunnels(toDocument(design));
    if (designStore.getState().design === design) useProvision.setState({ tunnels });
  } catch {
    // Not knowing hides Link tunnels; Plan and Apply still work.
    useProvision.setState({ tunnels: [] });
  }
}

/** Keeps `tunnels` in step with the design (debounced); returns the function that stops it. */
export function followTunnels(debounceMs = 400): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last: Design | null = null;
  const schedule = (state: DesignState) => {
    if (state.gestureStart !== null || state.design === last) return;
    last = state.design;
    if (timer !== null) clearTimeout(timer);
    const design = state.design;
    timer = setTimeout(() => {
      timer = null;
      void refreshTunnels(design);
    }, debounceMs);
  };
  const unsubscribe = designStore.subscribe(schedule);
  schedule(designStore.getState());
  return () => {
    if (timer !== null) clearTimeout(timer);
    unsubscribe();
  };
}

/** Opens the Link tunnels dialog for the saved design. */
export async function openLink(): Promise<void> {
  if (!savedTarget("Link tunnels")) return;
  await ensureSettings();
  useProvision.setState({ view: "link", linkProblem: null, linkReport: null });
  await refreshTunnels();
}

/** Changes a Link setting and remembers it. */
export async function setLinkSettings(settings: Partial<{ adminCidr: string; sshUser: string; identityFile: string }>): Promise<void> {
  useProvision.setState(settings);
  await persistSettings();
}

/** Lets the user pick the private key file ssh uses (its path only). */
export async function pickIdentityFile(): Promise<void> {
  try {
    const path = await choosePrivateKeyFile();
    if (path) await setLinkSettings({ identityFile: path });
  } catch (error) {
    useUi.getState().notify(message(error), "error");
  }
}

function linkProblem(error: unknown): LinkProblem {
  if (error instanceof BackendError && error.error.kind === "link") {
    const { server, message: text, fix } = error.error.detail;
    return { server, message: text, fix };
  }
  return { server: null, message: message(error), fix: null };
}

function logLinkEvent(event: LinkEvent): void {
  if (event.type === "apply") {
    recordProgress(event.event);
    return;
  }
  const step = event.event;
  const label = { reading_key: "reading", key_read: "key read", writing_peers: "writing", linked: "linked" }[step.step];
  addLog(`${label.padEnd(8)} ${step.name} (${step.address}) — ${step.message}`, step.step === "linked" ? "success" : "info", step.component);
}

/** Applies as needed, then exchanges the tunnel servers' WireGuard keys over SSH, with a log. */
export async function linkTunnels(): Promise<void> {
  if (useProvision.getState().running) return;
  const target = savedTarget("Link tunnels");
  if (!target) return;
  await ensureSettings();
  const { sshUser, identityFile } = useProvision.getState();
  useProvision.setState({ running: "link", resources: {}, linkProblem: null, linkReport: null, logOpen: true });
  addLog(`Link of ${target.path} started: apply if needed, then exchange WireGuard keys over SSH`);
  try {
    const report = await provisionBackend.link(target.path, target.design, runOptions(), { sshUser: sshUser.trim() || "root", identityFile: identityFile.trim() || null }, logLinkEvent);
    useProvision.setState({ linkReport: report });
    addLog(`Link: ${report.servers.length} server(s) have their peers (${report.applies} apply run(s) first).`, "success");
    useUi.getState().notify("Tunnels linked", "success");
  } catch (error) {
    const problem = linkProblem(error);
    useProvision.setState({ linkProblem: problem });
    addLog(`Link failed: ${problem.server ? `${problem.server}: ` : ""}${problem.message}${problem.fix ? ` — To fix: ${problem.fix}` : ""}`, "error");
    useUi.getState().notify(`Link failed${problem.server ? ` at ${problem.server}` : ""}`, "error");
  } finally {
    useProvision.setState({ running: null, plan: null });
  }
}
