//! The first pass: collect every declaration of every file, reporting names
//! declared twice (E006) and typing the context schema.

use std::collections::HashMap;

use switchyard_syntax::ast::{FieldDecl, Ident, Item, ModelDecl, RuleFile, TypeExpr};
use switchyard_syntax::{Span, Spanned};

use crate::checker::{Checker, Decl, ModelAlias};
use crate::error::{CheckError, NameKind};
use crate::ir::{Field, FieldId, Type};

/// Records `name` as index `i` unless it is there; returns the earlier index.
pub(crate) fn first_of(ix: &mut HashMap<String, usize>, name: &str, i: usize) -> Option<usize> {
    match ix.get(name) {
        Some(&first) => Some(first),
        None => {
            ix.insert(name.to_string(), i);
            None
        }
    }
}

impl<'a> Checker<'a> {
    /// Collects the declarations of all files, in order.
    pub(crate) fn collect(&mut self, files: &'a [RuleFile]) {
        let mut rule_names: HashMap<&str, Span> = HashMap::new();
        let mut test_names: HashMap<&str, Span> = HashMap::new();
        for file in files {
            for item in &file.items {
                match &item.node {
                    Item::Version(v) => match &self.version {
                        Some((_, first)) => {
                            let first = *first;
                            self.error(CheckError::Duplicate {
                                span: item.span,
                                kind: NameKind::Version,
                                name: v.node.clone(),
                                first,
                            });
                        }
                        None => self.version = Some((v.node.clone(), item.span)),
                    },
                    Item::TimeZone(zone) => match &self.time_zone {
                        Some((_, first)) => {
                            let first = *first;
                            self.error(CheckError::Duplicate {
                                span: item.span,
                                kind: NameKind::TimeZone,
                                name: zone.node.clone(),
                                first,
                            });
                        }
                        None => self.time_zone = Some((zone.node.clone(), zone.span)),
                    },
                    Item::Context(fields) => {
                        for f in fields {
                            self.declare_field(f);
                        }
                    }
                    Item::Model(m) => self.declare_model(m, item.span),
                    Item::Target(t) => {
                        let i = self.targets.len();
                        let duplicate = self.duplicate(&t.name, NameKind::Target, i);
                        self.clash(&t.name, NameKind::Target, NameKind::Model);
                        self.targets.push(Decl {
                            node: t,
                            span: item.span,
                            duplicate,
                        });
                        self.target_used.push(false);
                        self.target_resolved.push(None);
                    }
                    Item::Let(l) => {
                        let i = self.lets.len();
                        let duplicate = self.duplicate(&l.name, NameKind::Let, i);
                        self.clash(&l.name, NameKind::Let, NameKind::Field);
                        self.lets.push(Decl {
                            node: l,
                            span: item.span,
                            duplicate,
                        });
                        self.let_used.push(false);
                    }
                    Item::Defaults(options) => self.defaults.push(options),
                    Item::Rule(r) => {
                        let mut duplicate = false;
                        if let Some(name) = &r.name {
                            duplicate = self.duplicate_in(&mut rule_names, name, NameKind::Rule);
                        }
                        self.rules.push(Decl {
                            node: r,
                            span: item.span,
                            duplicate,
                        });
                    }
                    Item::Test(t) => {
                        let duplicate = self.duplicate_in(&mut test_names, &t.name, NameKind::Test);
                        self.tests.push(Decl {
                            node: t,
                            span: item.span,
                            duplicate,
                        });
                    }
                }
            }
        }
    }

    /// Reports `name` (E006) if `names` has it already, and returns whether
    /// it did; else records it.
    pub(crate) fn duplicate_in<'n>(
        &mut self,
        names: &mut HashMap<&'n str, Span>,
        name: &'n Ident,
        kind: NameKind,
    ) -> bool {
        match names.get(name.node.as_str()) {
            Some(&first) => {
                self.error(CheckError::Duplicate {
                    span: name.span,
                    kind,
                    name: name.node.clone(),
                    first,
                });
                true
            }
            None => {
                names.insert(&name.node, name.span);
                false
            }
        }
    }

    /// Records a let, model or target name as index `i`, reporting a repeat.
    fn duplicate(&mut self, name: &Ident, kind: NameKind, i: usize) -> bool {
        let ix = match kind {
            NameKind::Let => &mut self.let_ix,
            NameKind::Model => &mut self.model_ix,
            _ => &mut self.target_ix,
        };
        let Some(first) = first_of(ix, &name.node, i) else {
            return false;
        };
        let first = self.name_span(kind, first).unwrap_or(name.span);
        self.error(CheckError::Duplicate {
            span: name.span,
            kind,
            name: name.node.clone(),
            first,
        });
        true
    }

    /// Reports `name`, being declared as a `kind`, if it already names an
    /// `other`: models and targets share one namespace, fields and lets
    /// another.
    fn clash(&mut self, name: &Ident, kind: NameKind, other: NameKind) {
        let first = match other {
            NameKind::Field => self.field_ix.get(&name.node).map(|f| f.index()),
            NameKind::Let => self.let_ix.get(&name.node).copied(),
            NameKind::Model => self.model_ix.get(&name.node).copied(),
            NameKind::Target => self.target_ix.get(&name.node).copied(),
            _ => None,
        };
        let Some(first) = first else {
            return;
        };
        let first = self.name_span(other, first).unwrap_or(name.span);
        self.error(CheckError::NameClash {
            span: name.span,
            kind,
            name: name.node.clone(),
            first_kind: other,
            first,
        });
    }

    /// Where the name of the `i`th field, let, model or target is declared.
    fn name_span(&self, kind: NameKind, i: usize) -> Option<Span> {
        match kind {
            NameKind::Field => self.fields.get(i).map(|f| f.name_span),
            NameKind::Let => self.lets.get(i).map(|d| d.node.name.span),
            NameKind::Model => self.models.get(i).map(|d| d.node.name_span),
            NameKind::Target => self.targets.get(i).map(|d| d.node.name.span),
            _ => None,
        }
    }

    fn declare_model(&mut self, m: &ModelDecl, span: Span) {
        let i = self.models.len();
        let duplicate = self.duplicate(&m.name, NameKind::Model, i);
        self.clash(&m.name, NameKind::Model, NameKind::Target);
        self.check_id_variant(&m.id.node, m.id.span, true);
        self.models.push(Decl {
            node: ModelAlias {
                name: m.name.node.clone(),
                name_span: m.name.span,
                id: m.id.node.clone(),
            },
            span,
            duplicate,
        });
        self.model_used.push(false);
    }

    fn declare_field(&mut self, f: &Spanned<FieldDecl>) {
        let ty = self.field_type_expr(&f.ty.node);
        let default = f
            .default
            .as_ref()
            .and_then(|d| self.literal(&ty, d, &f.name.node, false));
        if let Some(&first) = self.field_ix.get(&f.name.node) {
            let first = self
                .name_span(NameKind::Field, first.index())
                .unwrap_or(f.name.span);
            self.error(CheckError::Duplicate {
                span: f.name.span,
                kind: NameKind::Field,
                name: f.name.node.clone(),
                first,
            });
            return;
        }
        self.clash(&f.name, NameKind::Field, NameKind::Let);
        let id = FieldId(u32::try_from(self.fields.len()).unwrap_or(u32::MAX));
        self.field_ix.insert(f.name.node.clone(), id);
        self.fields.push(Field {
            name: f.name.node.clone(),
            ty,
            default,
            span: f.span,
            name_span: f.name.span,
        });
        self.field_used.push(false);
    }

    /// Types a field's declared type; an enum listing a value twice is E006.
    fn field_type_expr(&mut self, ty: &TypeExpr) -> Type {
        match ty {
            TypeExpr::Bool => Type::Bool,
            TypeExpr::Int => Type::Int,
            TypeExpr::Float => Type::Float,
            TypeExpr::String => Type::String,
            TypeExpr::Enum(values) => {
                let mut seen: HashMap<&str, Span> = HashMap::new();
                let mut out = Vec::new();
                for v in values {
                    if !self.duplicate_in(&mut seen, v, NameKind::EnumValue) {
                        out.push(v.node.clone());
                    }
                }
                Type::Enum(out)
            }
        }
    }
}
