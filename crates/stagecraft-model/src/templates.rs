//! The stage templates, embedded in the binary: one design per stage of the stage table. Each is
//! a valid, canonical design file that the other crates validate, price, export and provision.

use crate::design::{Design, Stage};
use crate::error::LoadError;
use crate::file::load_str;
use crate::ids::DesignId;

/// A built-in template.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    pub stage: Stage,
    /// Name used on the command line (`mvp`, `growth`, `scale`).
    pub slug: &'static str,
    /// The canonical file text.
    pub source: &'static str,
}

pub const TEMPLATES: [Template; 3] = [
    Template {
        stage: Stage::Mvp,
        slug: "mvp",
        source: include_str!("../templates/mvp.stagecraft.json"),
    },
    Template {
        stage: Stage::Growth,
        slug: "growth",
        source: include_str!("../templates/growth.stagecraft.json"),
    },
    Template {
        stage: Stage::Scale,
        slug: "scale",
        source: include_str!("../templates/scale.stagecraft.json"),
    },
];

/// The template the app opens the first time it starts.
pub const EXAMPLE: Template = TEMPLATES[1];

impl Template {
    /// The template as it is stored, with its fixed id.
    ///
    /// # Errors
    /// Only if the embedded file is broken, which the tests rule out.
    pub fn design(&self) -> Result<Design, LoadError> {
        load_str(self.source, &format!("template:{}", self.slug)).map(|loaded| loaded.design)
    }

    /// A new design started from the template, with a fresh id so two designs made from one
    /// template never claim each other's cloud resources.
    ///
    /// # Errors
    /// As [`Template::design`].
    pub fn instantiate(&self) -> Result<Design, LoadError> {
        let mut design = self.design()?;
        design.id = DesignId::generate();
        Ok(design)
    }
}

/// The template of a stage.
pub fn template(stage: Stage) -> Template {
    match stage {
        Stage::Mvp => TEMPLATES[0],
        Stage::Growth => TEMPLATES[1],
        Stage::Scale => TEMPLATES[2],
    }
}

/// A template by its slug.
pub fn template_by_slug(slug: &str) -> Option<Template> {
    TEMPLATES.iter().copied().find(|t| t.slug == slug)
}
