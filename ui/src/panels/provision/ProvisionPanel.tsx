// The provisioning views: credentials dialog, plan, destroy confirmation, link tunnels, and the run log.
import { useEffect, useRef, useState, type ReactNode } from "react";
import { Icon } from "../../app/icons";
import type { Provider } from "../../ipc/backend";
import type { ChangeAction, CredentialStatus, PlannedChange } from "../../ipc/provision";
import { PROVIDER_LABELS } from "../../model/catalog";
import { useDesign } from "../../store/design-store";
import { showMoney } from "../analysis/money";
import {
  accountsOf,
  applyDesign,
  cancelRun,
  clearSshPublicKey,
  closeProvisionView,
  confirmDestroy,
  deleteToken,
  DEFAULT_ACCOUNT,
  followTunnels,
  linkTunnels,
  PROVIDERS,
  pickIdentityFile,
  pickSshPublicKey,
  saveToken,
  selectAccount,
  setLinkSettings,
  setSshPublicKey,
  showComponent,
  testToken,
} from "./actions";
import { useProvision } from "./provision-store";
import { describePublicKey, looksPrivate, PRIVATE_KEY_REFUSED } from "./ssh-key";
import "./provision.css";

function Modal({ title, children, testId }: { title: string; children: ReactNode; testId: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.querySelector<HTMLElement>("input, button")?.focus();
  }, []);
  return (
    <div className="sc-modal-backdrop" onPointerDown={(e) => e.target === e.currentTarget && closeProvisionView()}>
      <div
        className="sc-modal sc-modal--wide"
        role="dialog"
        aria-modal="true"
        aria-label={title}
        ref={ref}
        data-testid={testId}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.stopPropagation();
            closeProvisionView();
          }
        }}
      >
        <header>
          <h2>{title}</h2>
          <button type="button" className="sc-icon-button" aria-label="Close" onClick={closeProvisionView}>
            <Icon name="close" />
          </button>
        </header>
        <div className="sc-modal__body">{children}</div>
      </div>
    </div>
  );
}

/** What to paste: AWS takes an access key pair in one field, the others an API token. */
function tokenPlaceholder(provider: Provider, replacing: boolean): string {
  const what = provider === "aws" ? "ACCESS_KEY_ID:SECRET_ACCESS_KEY" : "an API token";
  return replacing ? `Paste ${what} to replace the stored one` : `Paste ${what}`;
}

/** One provider's row. The pasted token lives in this input's state only and is cleared on Save. */
function CredentialRow({ provider, statuses }: { provider: Provider; statuses: CredentialStatus[] }) {
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [newAccount, setNewAccount] = useState("");
  const selected = useProvision((s) => s.selectedAccounts[provider] ?? DEFAULT_ACCOUNT);
  // Re-read when the remembered accounts change.
  useProvision((s) => s.knownAccounts[provider]);
  const accounts = accountsOf(provider);
  const stored = (account: string) => statuses.some((c) => c.account === account && c.hasCredentials);
  const hasCredentials = stored(selected);
  const label = PROVIDER_LABELS[provider];
  const run = async (work: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await work();
    } finally {
      setBusy(false);
    }
  };
  return (
    <li className="sc-credential" data-testid={`credential-${provider}`}>
      <div className="sc-credential__head">
        <strong>{label}</strong>
        <span className={`sc-credential__status${hasCredentials ? " is-stored" : ""}`} data-testid={`credential-status-${provider}`}>
          {hasCredentials ? "Token stored in the OS keyring" : "No token stored"}
        </span>
      </div>
      <div className="sc-credential__account">
        <label>
          Account{" "}
          <select aria-label={`${label} account`} value={selected} disabled={busy} onChange={(e) => void run(() => selectAccount(provider, e.target.value))} data-testid={`credential-account-${provider}`}>
            {[...new Set([...accounts, ...statuses.map((c) => c.account)])].map((account) => (
              <option key={account} value={account}>
                {account}
                {stored(account) ? " (token stored)" : ""}
              </option>
            ))}
          </select>
        </label>
        <form
          className="sc-credential__new-account"
          onSubmit={(e) => {
            e.preventDefault();
            const name = newAccount;
            void run(async () => {
              if (await selectAccount(provider, name)) setNewAccount("");
            });
          }}
        >
          <input aria-label={`New ${label} account name`} placeholder="New account name" value={newAccount} onChange={(e) => setNewAccount(e.target.value)} data-testid={`credential-new-account-${provider}`} />
          <button type="submit" className="sc-button" disabled={busy || !newAccount.trim()} data-testid={`credential-add-account-${provider}`}>
            Add
          </button>
        </form>
      </div>
      <form
        className="sc-credential__form"
        onSubmit={(e) => {
          e.preventDefault();
          const value = token;
          setToken("");
          void run(() => saveToken(provider, value));
        }}
      >
        <input
          type="password"
          autoComplete="off"
          spellCheck={false}
          aria-label={`${label} API token for account ${selected}`}
          placeholder={tokenPlaceholder(provider, hasCredentials)}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          data-testid={`credential-token-${provider}`}
        />
        <button type="submit" className="sc-button sc-button--primary" disabled={busy || !token.trim()} data-testid={`credential-save-${provider}`}>
          Save
        </button>
        <button type="button" className="sc-button" disabled={busy || !hasCredentials} onClick={() => void run(() => testToken(provider))} data-testid={`credential-test-${provider}`}>
          Test
        </button>
        <button type="button" className="sc-button" disabled={busy || !hasCredentials} onClick={() => void run(() => deleteToken(provider))} data-testid={`credential-delete-${provider}`}>
          Delete
        </button>
      </form>
    </li>
  );
}

/** The SSH public key installed on every server: pasted or picked as a `.pub` file. */
function SshKeySection() {
  const key = useProvision((s) => s.sshPublicKey);
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <section className="sc-ssh-key" data-testid="ssh-key">
      <h3>SSH public key</h3>
      <p className="sc-muted" data-testid="ssh-key-current">
        {key ? <>Installed on every server: <code>{describePublicKey(key)}</code></> : "None: servers are created without your SSH key."}
      </p>
      {problem && (
        <p className="sc-provision-error" role="alert" data-testid="ssh-key-problem">
          {problem}
        </p>
      )}
      <form
        className="sc-ssh-key__form"
        onSubmit={(e) => {
          e.preventDefault();
          const value = text;
          setText("");
          void setSshPublicKey(value).then((ok) => setProblem(ok ? null : looksPrivate(value) ? PRIVATE_KEY_REFUSED : "That is not an SSH public key (see the message above)."));
        }}
      >
        <textarea
          rows={2}
          spellCheck={false}
          autoComplete="off"
          aria-label="SSH public key"
          placeholder="ssh-ed25519 AAAA… you@laptop"
          value={text}
          onChange={(e) => {
            // A private key is dropped the moment it is pasted: it never stays in the page.
            if (looksPrivate(e.target.value)) {
              setText("");
              setProblem(PRIVATE_KEY_REFUSED);
              return;
            }
            setText(e.target.value);
          }}
          data-testid="ssh-key-input"
        />
        <div className="sc-button-row">
          <button type="submit" className="sc-button sc-button--primary" disabled={busy || !text.trim()} data-testid="ssh-key-save">
            Use this key
          </button>
          <button
            type="button"
            className="sc-button"
            disabled={busy}
            onClick={() => {
              setBusy(true);
              void pickSshPublicKey()
                .then((ok) => ok && setProblem(null))
                .finally(() => setBusy(false));
            }}
            data-testid="ssh-key-pick"
          >
            Choose .pub file…
          </button>
          <button type="button" className="sc-button" disabled={!key} onClick={() => void clearSshPublicKey()} data-testid="ssh-key-clear">
            Remove
          </button>
        </div>
      </form>
    </section>
  );
}

function CredentialsDialog() {
  const credentials = useProvision((s) => s.credentials);
  const problem = useProvision((s) => s.keyringProblem);
  return (
    <Modal title="Provider credentials" testId="credentials-dialog">
      <p className="sc-muted">Tokens go straight into the OS keyring under the account you choose; Stagecraft never shows them again and never writes them to the design or settings.</p>
      {problem && (
        <p className="sc-provision-error" role="alert" data-testid="keyring-problem">
          {problem}
        </p>
      )}
      {!credentials && !problem && <p>Reading the keyring…</p>}
      {credentials && (
        <ul className="sc-credentials">
          {PROVIDERS.map((p) => (
            <CredentialRow key={p} provider={p} statuses={credentials.filter((c) => c.provider === p)} />
          ))}
        </ul>
      )}
      <SshKeySection />
    </Modal>
  );
}

/** "+€4.51", "-€2.00", "€0.00": a change reads with its sign. */
function signedMoney(amount: string, currency: string): string {
  const text = showMoney(amount, currency);
  return text.startsWith("-") || /^[^0-9]*0\.00$/.test(text) ? text : `+${text}`;
}

const ACTION_LABEL: Record<ChangeAction, string> = { create: "Create", update: "Update", replace: "Replace", delete: "Delete" };

function ChangeRow({ change, currency }: { change: PlannedChange; currency: string }) {
  return (
    <tr
      className={`sc-plan__row sc-plan__row--${change.action}${change.component ? " is-linked" : ""}`}
      data-testid={`plan-change-${change.key}`}
      title={change.component ? "Show this component on the canvas" : undefined}
      onClick={() => showComponent(change.component)}
    >
      <td>
        <span className={`sc-plan__action sc-plan__action--${change.action}`}>{ACTION_LABEL[change.action]}</span>
      </td>
      <td>
        <strong>{change.name}</strong>
        <div className="sc-muted">
          {change.kind} · {PROVIDER_LABELS[change.provider]}
        </div>
      </td>
      <td>{change.reasons.join("; ")}</td>
      <td className="sc-plan__cost" data-testid={`plan-change-cost-${change.key}`}>
        {change.monthly_cost_change != null ? `${signedMoney(change.monthly_cost_change, currency)}/month` : "cost unknown"}
      </td>
    </tr>
  );
}

function PlanView() {
  const plan = useProvision((s) => s.plan);
  const planning = useProvision((s) => s.planning);
  const blocking = useProvision((s) => s.blocking);
  const error = useProvision((s) => s.planError);
  const running = useProvision((s) => s.running);
  const designCurrency = useDesign((s) => s.design.assumptions.currency ?? "EUR");
  // The plan says which currency its figures are in; the design's is the fallback for an unpriced plan.
  const currency = plan?.currency ?? designCurrency;
  const count = (action: ChangeAction) => plan?.changes.filter((c) => c.action === action).length ?? 0;
  const canApply = !!plan && !blocking.length && plan.changes.length > 0 && !running;
  return (
    <Modal title="Plan" testId="plan-view">
      {planning && <p>Reading what exists at the providers…</p>}
      {error && (
        <p className="sc-provision-error" role="alert" data-testid="plan-error">
          {error}
        </p>
      )}
      {blocking.length > 0 && (
        <ul className="sc-problems" data-testid="plan-blocking">
          {blocking.map((f, i) => (
            <li key={i}>
              <Icon name="alert" size={16} />
              <div>
                <strong>{f.message}</strong>
                <div className="sc-muted">
                  {f.rule}: {f.why}
                </div>
              </div>
            </li>
          ))}
        </ul>
      )}
      {plan && (
        <>
          <p data-testid="plan-summary">
            {count("create")} to create, {count("update")} to update, {count("replace")} to replace, {count("delete")} to delete, {plan.unchanged.length} unchanged.
          </p>
          <p data-testid="plan-cost">
            Monthly cost change: <strong>{plan.monthly_cost_change != null ? signedMoney(plan.monthly_cost_change, currency) + " per month" : "cost unknown"}</strong>
          </p>
          {plan.currency && (
            <p className="sc-muted" data-testid="plan-prices">
              In {plan.currency}, net of VAT{plan.prices.length > 0 ? `; prices: ${plan.prices.join(", then ")}` : ""}.
            </p>
          )}
          {plan.changes.length === 0 && <p>No changes: the providers match the design.</p>}
          {plan.changes.length > 0 && (
            <table className="sc-plan">
              <tbody>
                {plan.changes.map((c) => (
                  <ChangeRow key={c.key} change={c} currency={currency} />
                ))}
              </tbody>
            </table>
          )}
          {plan.not_provisioned.length > 0 && (
            <details className="sc-plan__skipped">
              <summary>{plan.not_provisioned.length} part(s) of the design are not provisioned</summary>
              <ul>
                {plan.not_provisioned.map((n) => (
                  <li key={n.owner}>
                    {n.name}: {n.reason}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </>
      )}
      <div className="sc-button-row sc-button-row--end">
        <button type="button" className="sc-button" onClick={closeProvisionView}>
          Close
        </button>
        <button type="button" className="sc-button sc-button--primary" disabled={!canApply} onClick={() => void applyDesign()} data-testid="plan-apply">
          Apply
        </button>
      </div>
    </Modal>
  );
}

function DestroyConfirm() {
  const targets = useProvision((s) => s.destroyTargets);
  return (
    <Modal title="Destroy" testId="destroy-confirm">
      {!targets && <p>Reading what this design owns at the providers…</p>}
      {targets && targets.length === 0 && <p>This design owns nothing at the providers.</p>}
      {targets && targets.length > 0 && (
        <>
          <p data-testid="destroy-count">
            Destroy <strong>{targets.length}</strong> resource{targets.length === 1 ? "" : "s"} created by Stagecraft for this design? Nothing else is touched.
          </p>
          <ul className="sc-destroy-list" data-testid="destroy-names">
            {targets.map((t) => (
              <li key={t.resource}>
                <strong>{t.name}</strong> <span className="sc-muted">({t.kind}, {PROVIDER_LABELS[t.provider]})</span>
              </li>
            ))}
          </ul>
        </>
      )}
      <div className="sc-button-row sc-button-row--end">
        <button type="button" className="sc-button" onClick={closeProvisionView}>
          Cancel
        </button>
        <button type="button" className="sc-button sc-button--danger" disabled={!targets?.length} onClick={() => void confirmDestroy()} data-testid="destroy-confirm-button">
          Destroy {targets?.length ?? ""}
        </button>
      </div>
    </Modal>
  );
}

/** Link tunnels: which connections, how SSH reaches the servers, and why it stopped if it did. */
function LinkDialog() {
  const tunnels = useProvision((s) => s.tunnels);
  const adminCidr = useProvision((s) => s.adminCidr);
  const sshUser = useProvision((s) => s.sshUser);
  const identityFile = useProvision((s) => s.identityFile);
  const problem = useProvision((s) => s.linkProblem);
  const report = useProvision((s) => s.linkReport);
  const running = useProvision((s) => s.running);
  const sshKey = useProvision((s) => s.sshPublicKey);
  return (
    <Modal title="Link tunnels" testId="link-dialog">
      <p className="sc-muted">
        WireGuard carries these connections between providers or regions. Link applies what is still missing, then reads each server&apos;s public key over SSH and gives every server its peers. Private keys never leave the servers.
      </p>
      <ul className="sc-link-tunnels" data-testid="link-tunnels">
        {tunnels.map((t) => (
          <li key={t.connection}>
            <strong>{t.from_name}</strong> ↔ <strong>{t.to_name}</strong> <span className="sc-muted">({t.reason})</span>
          </li>
        ))}
      </ul>
      {!sshKey && (
        <p className="sc-provision-warning" data-testid="link-no-ssh-key">
          No SSH public key is set (Provision › Credentials…): servers created without it will refuse the SSH login Link needs.
        </p>
      )}
      <div className="sc-link-form">
        <label>
          Admin address
          <input
            aria-label="Admin address (CIDR)"
            placeholder="203.0.113.7/32 (this machine's public address)"
            value={adminCidr}
            onChange={(e) => void setLinkSettings({ adminCidr: e.target.value })}
            data-testid="link-admin-cidr"
          />
          <span className="sc-muted">Opens 22/tcp from this address only, on the tunnel servers only. Empty keeps SSH closed (then a Firewall component must open it).</span>
        </label>
        <label>
          SSH user
          <input aria-label="SSH user" value={sshUser} onChange={(e) => void setLinkSettings({ sshUser: e.target.value })} data-testid="link-ssh-user" />
        </label>
        <label>
          Private key file
          <span className="sc-link-form__row">
            <input aria-label="Private key file" placeholder="Your ssh agent and ~/.ssh decide" value={identityFile} onChange={(e) => void setLinkSettings({ identityFile: e.target.value })} data-testid="link-identity" />
            <button type="button" className="sc-button" onClick={() => void pickIdentityFile()} data-testid="link-identity-pick">
              Choose…
            </button>
          </span>
        </label>
      </div>
      {problem && (
        <div className="sc-provision-error" role="alert" data-testid="link-problem">
          {problem.server && (
            <p>
              <strong data-testid="link-problem-server">{problem.server}</strong>
            </p>
          )}
          <p>{problem.message}</p>
          {problem.fix && <p data-testid="link-problem-fix">To fix: {problem.fix}</p>}
        </div>
      )}
      {report && (
        <p data-testid="link-report">
          Linked {report.servers.length} server{report.servers.length === 1 ? "" : "s"}: {report.servers.map((s) => `${s.name} ${s.tunnel_address}`).join(", ")}.
        </p>
      )}
      <div className="sc-button-row sc-button-row--end">
        <button type="button" className="sc-button" onClick={closeProvisionView}>
          Close
        </button>
        <button type="button" className="sc-button sc-button--primary" disabled={!!running || tunnels.length === 0} onClick={() => void linkTunnels()} data-testid="link-run">
          {running === "link" ? "Linking…" : "Link tunnels"}
        </button>
      </div>
    </Modal>
  );
}

function RunLog() {
  const log = useProvision((s) => s.log);
  const open = useProvision((s) => s.logOpen);
  const running = useProvision((s) => s.running);
  const end = useRef<HTMLLIElement>(null);
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: "nearest" });
  }, [log.length]);
  if (!open) return null;
  return (
    <section className="sc-run-log" aria-label="Provisioning log" data-testid="provision-log">
      <header>
        <strong>{running ? `${{ apply: "Applying", destroy: "Destroying", link: "Linking" }[running]}…` : "Provisioning log"}</strong>
        {running && (
          <button type="button" className="sc-button" onClick={() => void cancelRun()} data-testid="provision-cancel">
            Cancel
          </button>
        )}
        <button type="button" className="sc-icon-button" aria-label="Close log" disabled={!!running} onClick={() => useProvision.setState({ logOpen: false })}>
          <Icon name="close" size={14} />
        </button>
      </header>
      <ol>
        {log.map((line) => (
          <li
            key={line.id}
            className={`sc-run-log__line sc-run-log__line--${line.tone}${line.component ? " is-linked" : ""}`}
            data-testid={line.component ? `log-line-${line.component}` : undefined}
            onClick={() => showComponent(line.component)}
          >
            {line.text}
          </li>
        ))}
        <li ref={end} aria-hidden="true" />
      </ol>
    </section>
  );
}

export function ProvisionPanel() {
  const view = useProvision((s) => s.view);
  // Keeps the Provision menu's "Link tunnels…" in step with the design.
  useEffect(() => followTunnels(), []);
  return (
    <>
      {view === "credentials" && <CredentialsDialog />}
      {view === "plan" && <PlanView />}
      {view === "destroy" && <DestroyConfirm />}
      {view === "link" && <LinkDialog />}
      <RunLog />
    </>
  );
}
