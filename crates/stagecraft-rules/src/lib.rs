//! # stagecraft-rules
//!
//! Judges a design: which growth stage it implements ([`detect_stage`]), what is wrong or risky
//! for the stage it targets ([`check`]), how to fix each problem as one change set
//! ([`apply_fix`]), and what to do next for its expected load ([`advise`]).
//!
//! Invariants:
//! - Pure and deterministic: the same design and options give the same report, byte for byte.
//!   Ids of components a fix adds are derived from existing ids, never random.
//! - Never panics, whatever the document (dangling references, cycles, unknown sizes): the rules
//!   read through an index built once per check and skip what they cannot resolve.
//! - Linear: a check builds id indexes and adjacency once, so a 10,000-component design checks
//!   in a few milliseconds and the app can re-check on every edit.
//! - What a kind is, which ports it listens on, what it may connect to and how each provider
//!   offers it come from the catalogue ([`stagecraft_model::catalog`]), never from this crate.
//! - A fix is a list of [`Edit`]s applied as one unit: [`apply_fix`] applies all of them or none.
//!
//! Depends only on `stagecraft-model`; everything it returns derives `Serialize`, `Deserialize`
//! and `specta::Type` so the desktop app can send it over IPC unchanged.

mod advise;
mod catalog_index;
mod fix;
mod index;
mod rules;
mod stage;

use serde::{Deserialize, Serialize};
use stagecraft_model::{ComponentId, Design, Stage};

pub use advise::{
    advise, Advice, LinkAdvice, LinkSituation, LoadEstimate, ScalingDecision, SizeInfo, Step, Tier,
    TierAdvice,
};
pub use fix::{apply_fix, Edit, Fix, FixError};
pub use stage::detect_stage;

/// How serious a finding is. Ordered from most to least serious.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, specta::Type,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The design is broken or dangerous as drawn (the CLI exits 1).
    Error,
    /// A risk or a poor fit for the target stage.
    Warning,
    /// Worth knowing; nothing to fix necessarily.
    Info,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One problem the rules found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Finding {
    /// Stable rule id, such as `stage.growth.db-on-app-server`; see [`rules`].
    pub rule: String,
    pub severity: Severity,
    /// One line naming what is wrong, with the component names involved.
    pub message: String,
    /// Why it matters.
    pub why: String,
    /// The components concerned, the first being the one to select.
    pub components: Vec<ComponentId>,
    /// A change that resolves the finding, when one can be computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

/// Number of findings at each severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Counts {
    pub error: u32,
    pub warning: u32,
    pub info: u32,
}

/// The result of [`check`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Report {
    /// The stage the design implements as drawn.
    pub detected_stage: Stage,
    /// The stage the design was judged against.
    pub target_stage: Stage,
    /// Ordered by severity, then rule id, then the first component.
    pub findings: Vec<Finding>,
    pub counts: Counts,
}

impl Report {
    /// Whether any finding is at error level.
    pub fn has_errors(&self) -> bool {
        self.counts.error > 0
    }
}

/// What to judge a design against.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct CheckOptions {
    /// The stage to judge against. `None` takes the design's `assumptions.target_stage`, else the
    /// stage its `expected_users` fall in, else the stage it implements.
    #[serde(default)]
    pub target_stage: Option<Stage>,
}

/// A rule as documented in the rules reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct RuleInfo {
    pub id: String,
    pub severity: Severity,
    pub title: String,
    pub why: String,
    /// What the fix does, or what to do by hand when there is no automatic fix.
    pub fix_hint: String,
}

/// The stage a design is judged against when `options` do not say.
pub fn target_stage(design: &Design, options: &CheckOptions) -> Stage {
    stated_target(design, options).unwrap_or_else(|| detect_stage(design))
}

fn stated_target(design: &Design, options: &CheckOptions) -> Option<Stage> {
    options
        .target_stage
        .or(design.assumptions.target_stage)
        .or(design.assumptions.expected_users.map(Stage::for_users))
}

/// Checks a design against every rule for its target stage. Never fails and never panics: what
/// cannot be resolved (a dangling id, an unknown size) is reported or skipped.
pub fn check(design: &Design, options: &CheckOptions) -> Report {
    let index = index::DesignIndex::new(design);
    let detected_stage = stage::detect_with(&index);
    let target = stated_target(design, options).unwrap_or(detected_stage);
    let mut findings = rules::run_all(&index, detected_stage, target);
    findings.sort_by(|a, b| {
        (a.severity, &a.rule, a.components.first()).cmp(&(
            b.severity,
            &b.rule,
            b.components.first(),
        ))
    });
    let mut counts = Counts::default();
    for finding in &findings {
        match finding.severity {
            Severity::Error => counts.error += 1,
            Severity::Warning => counts.warning += 1,
            Severity::Info => counts.info += 1,
        }
    }
    Report {
        detected_stage,
        target_stage: target,
        findings,
        counts,
    }
}

/// Every rule the engine applies, in reference order.
pub fn rules() -> Vec<RuleInfo> {
    rules::ALL
        .iter()
        .map(|rule| RuleInfo {
            id: rule.id.to_owned(),
            severity: rule.severity,
            title: rule.title.to_owned(),
            why: rule.why.to_owned(),
            fix_hint: rule.fix_hint.to_owned(),
        })
        .collect()
}

/// The rules reference (docs/rules.md) as Markdown, generated from [`rules`].
pub fn rules_markdown() -> String {
    let mut text = String::from(
        "# Rules reference\n\n\
         Generated from `stagecraft_rules::rules()` by `cargo test -p stagecraft-rules --test rules_doc`\n\
         (set `STAGECRAFT_UPDATE_DOCS=1` to rewrite it). Do not edit by hand.\n\n\
         `stagecraft check FILE [--target-stage mvp|growth|scale]` applies every rule below. Rules\n\
         named `stage.<stage>.*` apply when the target stage is at least that stage (`stage.mvp.*`:\n\
         only at MVP); the others apply at every stage unless their text says otherwise.\n\n\
         | Rule | Severity | Title |\n|---|---|---|\n",
    );
    let all = rules();
    for rule in &all {
        text.push_str(&format!(
            "| [`{}`](#{}) | {} | {} |\n",
            rule.id,
            rule.id.replace('.', ""),
            rule.severity.label(),
            rule.title
        ));
    }
    for rule in &all {
        text.push_str(&format!(
            "\n## {}\n\n**{}** ({})\n\n{}\n\n**Fix:** {}\n",
            rule.id,
            rule.title,
            rule.severity.label(),
            rule.why,
            rule.fix_hint
        ));
    }
    text
}
