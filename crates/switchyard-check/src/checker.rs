//! The checker's state and the order of its passes. Each pass lives in its
//! own module as an `impl Checker` block.

use std::collections::HashMap;

use switchyard_syntax::ast::{LetDecl, RuleDecl, RuleFile, TargetDecl, TargetOption, TestDecl};
use switchyard_syntax::{Code, Diagnostic, Severity, Span, Spanned, ToDiagnostic};

use crate::error::{CheckError, CheckWarning};
use crate::ir::{Field, FieldId, LetId, Ruleset, Target, TimeZone};
use crate::{CheckOptions, Checked};

/// A declaration as collected: where it is, and whether it repeats an
/// earlier name (repeats are checked but never resolved to).
pub(crate) struct Decl<T> {
    pub(crate) node: T,
    pub(crate) span: Span,
    pub(crate) duplicate: bool,
}

/// A model alias.
pub(crate) struct ModelAlias {
    pub(crate) name: String,
    pub(crate) name_span: Span,
    pub(crate) id: String,
}

/// Everything the passes share.
pub(crate) struct Checker<'a> {
    pub(crate) options: &'a CheckOptions,
    diagnostics: Vec<Diagnostic>,
    pub(crate) version: Option<(String, Span)>,
    /// The `timezone` statement's zone name.
    pub(crate) time_zone: Option<(String, Span)>,
    pub(crate) fields: Vec<Field>,
    pub(crate) field_ix: HashMap<String, FieldId>,
    pub(crate) field_used: Vec<bool>,
    pub(crate) lets: Vec<Decl<&'a LetDecl>>,
    pub(crate) let_ix: HashMap<String, usize>,
    /// The [`LetId`] of each let, by source index (set by the let pass).
    pub(crate) let_ids: Vec<LetId>,
    pub(crate) let_used: Vec<bool>,
    pub(crate) models: Vec<Decl<ModelAlias>>,
    pub(crate) model_ix: HashMap<String, usize>,
    pub(crate) model_used: Vec<bool>,
    pub(crate) targets: Vec<Decl<&'a TargetDecl>>,
    pub(crate) target_ix: HashMap<String, usize>,
    pub(crate) target_used: Vec<bool>,
    /// Each target declaration, resolved (`None`: in a cycle, or not yet).
    pub(crate) target_resolved: Vec<Option<Target>>,
    pub(crate) rules: Vec<Decl<&'a RuleDecl>>,
    pub(crate) tests: Vec<Decl<&'a TestDecl>>,
    pub(crate) defaults: Vec<&'a [Spanned<TargetOption>]>,
    /// Regexes compiled so far, by (pattern, flags).
    pub(crate) regex_cache: HashMap<(String, String), regex::Regex>,
}

impl<'a> Checker<'a> {
    pub(crate) fn new(options: &'a CheckOptions) -> Self {
        Checker {
            options,
            diagnostics: Vec::new(),
            version: None,
            time_zone: None,
            fields: Vec::new(),
            field_ix: HashMap::new(),
            field_used: Vec::new(),
            lets: Vec::new(),
            let_ix: HashMap::new(),
            let_ids: Vec::new(),
            let_used: Vec::new(),
            models: Vec::new(),
            model_ix: HashMap::new(),
            model_used: Vec::new(),
            targets: Vec::new(),
            target_ix: HashMap::new(),
            target_used: Vec::new(),
            target_resolved: Vec::new(),
            rules: Vec::new(),
            tests: Vec::new(),
            defaults: Vec::new(),
            regex_cache: HashMap::new(),
        }
    }

    /// Reports an error.
    pub(crate) fn error(&mut self, e: CheckError) {
        self.diagnostics.push(e.to_diagnostic());
    }

    /// Reports several errors.
    pub(crate) fn errors(&mut self, errors: Vec<CheckError>) {
        for e in errors {
            self.error(e);
        }
    }

    /// Reports a warning.
    pub(crate) fn warn(&mut self, w: CheckWarning) {
        self.diagnostics.push(w.to_diagnostic());
    }

    /// Runs every pass.
    pub(crate) fn run(mut self, files: &'a [RuleFile]) -> Checked {
        self.collect(files);
        let time_zone = self.time_zone();
        let lets = self.check_lets();
        self.resolve_targets();
        let defaults = self.check_defaults();
        let rules = self.check_rules();
        let tests = self.check_tests(&rules);
        self.lint_unused();
        self.lint_max_tokens(&rules, &defaults);

        let mut diagnostics = self.diagnostics;
        let failed = diagnostics.iter().any(|d| d.severity() == Severity::Error);
        let mut ruleset = (!failed).then(|| Ruleset {
            version: self.version.map(|(v, _)| v),
            time_zone,
            fields: self.fields,
            lets,
            rules,
            defaults,
            tests,
        });
        if let (Some(rs), Some(catalog)) = (&ruleset, &self.options.catalog) {
            diagnostics.extend(crate::catalog_findings::catalog_findings(rs, catalog));
        }
        if let (Some(rs), Some(options)) = (&ruleset, &self.options.analysis) {
            let found = crate::analysis::analyze(rs, options);
            diagnostics.extend(crate::analysis::diagnostics(rs, &found));
        }
        let analysed = self.options.analysis.is_some();
        let catalog = self.options.catalog.is_some();
        let diagnostics =
            crate::levels::apply(
                files,
                diagnostics,
                &self.options.levels,
                |code| match code {
                    Code::W101 | Code::W102 | Code::W109 | Code::N201 => analysed,
                    Code::W104 => catalog,
                    _ => true,
                },
            );
        if diagnostics.iter().any(|d| d.severity() == Severity::Error) {
            ruleset = None;
        }
        Checked {
            ruleset,
            diagnostics,
        }
    }

    /// The `timezone` statement's zone, from the IANA database built in
    /// (E022 for a name it lacks, with the nearest one).
    fn time_zone(&mut self) -> Option<TimeZone> {
        let (name, span) = self.time_zone.clone()?;
        match jiff::tz::TimeZone::get(&name) {
            Ok(zone) => Some(TimeZone { name, zone }),
            Err(_) => {
                let db = jiff::tz::db();
                let names: Vec<_> = db.available().collect();
                let suggestion =
                    switchyard_syntax::nearest(&name, names.iter().map(|n| n.as_str()))
                        .map(String::from);
                self.error(CheckError::UnknownTimeZone {
                    span,
                    name,
                    suggestion,
                });
                None
            }
        }
    }

    /// Looks a name up as a field, marking it used. Reports E002 (or E003
    /// for a `let`) when it is not one.
    pub(crate) fn field_ref(&mut self, name: &Spanned<String>) -> Option<FieldId> {
        self.lookup_field(name, true)
    }

    /// Like [`Checker::field_ref`]; `mark`: count it as a use (tests don't).
    pub(crate) fn lookup_field(&mut self, name: &Spanned<String>, mark: bool) -> Option<FieldId> {
        if let Some(&id) = self.field_ix.get(&name.node) {
            if let Some(u) = self.field_used.get_mut(id.index()).filter(|_| mark) {
                *u = true;
            }
            return Some(id);
        }
        if self.let_ix.contains_key(&name.node) {
            self.error(CheckError::LetNotField {
                span: name.span,
                name: name.node.clone(),
            });
        } else {
            let suggestion =
                switchyard_syntax::nearest(&name.node, self.fields.iter().map(|f| f.name.as_str()))
                    .map(String::from);
            if mark {
                self.mark_meant(suggestion.as_deref());
            }
            self.error(CheckError::UnknownField {
                span: name.span,
                name: name.node.clone(),
                suggestion,
            });
        }
        None
    }

    /// Marks the declaration a typo's suggestion names as used: it is
    /// used, through the typo, and a W105 for it would be false.
    pub(crate) fn mark_meant(&mut self, suggestion: Option<&str>) {
        let Some(name) = suggestion else {
            return;
        };
        if let Some(&id) = self.field_ix.get(name) {
            if let Some(u) = self.field_used.get_mut(id.index()) {
                *u = true;
            }
        }
        let used = [
            (self.let_ix.get(name), &mut self.let_used),
            (self.model_ix.get(name), &mut self.model_used),
            (self.target_ix.get(name), &mut self.target_used),
        ];
        for (index, flags) in used {
            if let Some(u) = index.and_then(|&i| flags.get_mut(i)) {
                *u = true;
            }
        }
    }

    /// The type of a field.
    pub(crate) fn field_type(&self, id: FieldId) -> crate::ir::Type {
        self.fields
            .get(id.index())
            .map_or(crate::ir::Type::Bool, |f| f.ty.clone())
    }
}
