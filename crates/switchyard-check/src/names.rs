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
        let mut rule_names: HashMap<String, Span> = HashMap::new();
        let mut test_names: HashMap<String, Span> = HashMap::new();
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
                    Item::Context(fields) => {
                        for f in fields {
                            self.declare_field(f);
                        }
                    }
                    Item::Model(m) => self.declare_model(m, item.span),
                    Item::Target(t) => {
                        let i = self.targets.len();
                        let duplicate = self.duplicate(&t.name, NameKind::Target, i);
                        if let Some(&m) = self.model_ix.get(&t.name.node) {
                            let first =
                                self.models.get(m).map_or(t.name.span, |m| m.node.name_span);
                            self.error(CheckError::NameClash {
                                span: t.name.span,
                                kind: NameKind::Target,
                                name: t.name.node.clone(),
                                first_kind: NameKind::Model,
                                first,
                            });
                        }
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
                        if let Some(&f) = self.field_ix.get(&l.name.node) {
                            let first = self
                                .fields
                                .get(f.index())
                                .map_or(l.name.span, |f| f.name_span);
                            self.error(CheckError::NameClash {
                                span: l.name.span,
                                kind: NameKind::Let,
                                name: l.name.node.clone(),
                                first_kind: NameKind::Field,
                                first,
                            });
                        }
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

    /// Reports `name` if `names` has it already; else records it.
    fn duplicate_in(
        &mut self,
        names: &mut HashMap<String, Span>,
        name: &Ident,
        kind: NameKind,
    ) -> bool {
        match names.get(&name.node) {
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
                names.insert(name.node.clone(), name.span);
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
        let first = match kind {
            NameKind::Let => self.lets.get(first).map(|d| d.node.name.span),
            NameKind::Model => self.models.get(first).map(|d| d.node.name_span),
            _ => self.targets.get(first).map(|d| d.node.name.span),
        }
        .unwrap_or(name.span);
        self.error(CheckError::Duplicate {
            span: name.span,
            kind,
            name: name.node.clone(),
            first,
        });
        true
    }

    fn declare_model(&mut self, m: &ModelDecl, span: Span) {
        let i = self.models.len();
        let duplicate = self.duplicate(&m.name, NameKind::Model, i);
        if let Some(&t) = self.target_ix.get(&m.name.node) {
            let first = self
                .targets
                .get(t)
                .map_or(m.name.span, |t| t.node.name.span);
            self.error(CheckError::NameClash {
                span: m.name.span,
                kind: NameKind::Model,
                name: m.name.node.clone(),
                first_kind: NameKind::Target,
                first,
            });
        }
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
                .fields
                .get(first.index())
                .map_or(f.name.span, |f| f.name_span);
            self.error(CheckError::Duplicate {
                span: f.name.span,
                kind: NameKind::Field,
                name: f.name.node.clone(),
                first,
            });
            return;
        }
        if let Some(&l) = self.let_ix.get(&f.name.node) {
            let first = self.lets.get(l).map_or(f.name.span, |l| l.node.name.span);
            self.error(CheckError::NameClash {
                span: f.name.span,
                kind: NameKind::Field,
                name: f.name.node.clone(),
                first_kind: NameKind::Let,
                first,
            });
        }
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
                    if let Some(&first) = seen.get(v.node.as_str()) {
                        self.error(CheckError::Duplicate {
                            span: v.span,
                            kind: NameKind::EnumValue,
                            name: v.node.clone(),
                            first,
                        });
                    } else {
                        seen.insert(&v.node, v.span);
                        out.push(v.node.clone());
                    }
                }
                Type::Enum(out)
            }
        }
    }
}
