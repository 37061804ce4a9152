//! From the neutral conditions to the interpreter's typed trees.

use std::fmt;

use super::{BoolField, IntField, Node, StrField};
use crate::condition::{CompareOp, Condition, Literal};
use crate::field::Field;

/// A literal that does not fit the field it is compared with.
#[derive(Clone, Debug, PartialEq)]
pub struct LiteralMismatch {
    /// The field.
    pub field: Field,
    /// The literal.
    pub literal: Literal,
}

impl fmt::Display for LiteralMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "literal {:?} does not fit field `{}` ({})",
            self.literal,
            self.field.name(),
            self.field.field_type().route_name()
        )
    }
}

impl std::error::Error for LiteralMismatch {}

/// A field with the type of its values.
enum Typed {
    Str(StrField),
    Float,
    Int(IntField),
    Bool(BoolField),
}

fn typed(field: Field) -> Typed {
    match field {
        Field::Tenant => Typed::Str(StrField::Tenant),
        Field::UserTier => Typed::Str(StrField::UserTier),
        Field::TaskType => Typed::Str(StrField::TaskType),
        Field::BudgetRemaining => Typed::Float,
        Field::PromptTokensEst => Typed::Int(IntField::PromptTokensEst),
        Field::MaxLatencyMs => Typed::Int(IntField::MaxLatencyMs),
        Field::NeedsTools => Typed::Bool(BoolField::NeedsTools),
        Field::NeedsVision => Typed::Bool(BoolField::NeedsVision),
    }
}

/// `value` as a value of `field`'s type.
fn convert<T>(
    field: Field,
    value: &Literal,
    as_type: impl Fn(&Literal) -> Option<T>,
) -> Result<T, LiteralMismatch> {
    as_type(value).ok_or_else(|| LiteralMismatch {
        field,
        literal: value.clone(),
    })
}

fn as_str(value: &Literal) -> Option<Box<str>> {
    match value {
        Literal::Str(s) => Some(s.as_str().into()),
        _ => None,
    }
}

fn as_float(value: &Literal) -> Option<f64> {
    match value {
        Literal::Float(x) => Some(*x),
        Literal::Int(i) => Some(*i as f64),
        _ => None,
    }
}

fn as_int(value: &Literal) -> Option<i64> {
    match value {
        Literal::Int(i) => Some(*i),
        _ => None,
    }
}

fn as_bool(value: &Literal) -> Option<bool> {
    match value {
        Literal::Bool(b) => Some(*b),
        _ => None,
    }
}

/// Every value of `values` as a value of `field`'s type.
fn convert_all<T>(
    field: Field,
    values: &[Literal],
    as_type: impl Fn(&Literal) -> Option<T> + Copy,
) -> Result<Box<[T]>, LiteralMismatch> {
    values.iter().map(|v| convert(field, v, as_type)).collect()
}

/// The typed tree of `condition`.
pub(super) fn node(condition: &Condition) -> Result<Node, LiteralMismatch> {
    Ok(match condition {
        Condition::True => Node::True,
        Condition::And(parts) => Node::And(parts.iter().map(node).collect::<Result<_, _>>()?),
        Condition::Or(parts) => Node::Or(parts.iter().map(node).collect::<Result<_, _>>()?),
        Condition::Not(inner) => Node::Not(Box::new(node(inner)?)),
        Condition::Compare { field, op, value } => {
            let (f, op) = (*field, *op);
            match typed(f) {
                Typed::Str(s) => Node::Str(s, op, convert(f, value, as_str)?),
                Typed::Float => Node::Float(op, convert(f, value, as_float)?),
                Typed::Int(i) => Node::Int(i, op, convert(f, value, as_int)?),
                Typed::Bool(b) => Node::Bool(b, op, convert(f, value, as_bool)?),
            }
        }
        Condition::In { field, values } => {
            let f = *field;
            match typed(f) {
                Typed::Str(s) => Node::StrIn(s, convert_all(f, values, as_str)?),
                Typed::Float => Node::FloatIn(convert_all(f, values, as_float)?),
                Typed::Int(i) => Node::IntIn(i, convert_all(f, values, as_int)?),
                Typed::Bool(b) => Node::BoolIn(b, convert_all(f, values, as_bool)?),
            }
        }
        Condition::Truthy(field) => match typed(*field) {
            Typed::Str(s) => Node::Str(s, CompareOp::Ne, "".into()),
            Typed::Float => Node::Float(CompareOp::Ne, 0.0),
            Typed::Int(i) => Node::Int(i, CompareOp::Ne, 0),
            Typed::Bool(b) => Node::Bool(b, CompareOp::Eq, true),
        },
    })
}
