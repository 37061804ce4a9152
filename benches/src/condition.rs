//! Conditions in the neutral form of the peers' JSON rules: a tree of
//! `true`, `and`, `or`, `not`, comparisons, `in` and field-truthy tests.

use crate::field::Field;

/// A literal as a rule writes it. Whether it fits its field is checked by
/// whoever loads the rules (an int literal fits a float field).
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// A string.
    Str(String),
    /// A float.
    Float(f64),
    /// An integer.
    Int(i64),
    /// A boolean.
    Bool(bool),
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareOp {
    /// `==` (`eq`).
    Eq,
    /// `!=` (`ne`).
    Ne,
    /// `<` (`lt`).
    Lt,
    /// `<=` (`le`).
    Le,
    /// `>` (`gt`).
    Gt,
    /// `>=` (`ge`).
    Ge,
}

/// A rule's condition.
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    /// Always holds (`{"op": "true"}`).
    True,
    /// Every part holds (none: true).
    And(Vec<Condition>),
    /// Some part holds (none: false).
    Or(Vec<Condition>),
    /// The inner condition does not hold.
    Not(Box<Condition>),
    /// `field op value`.
    Compare {
        /// The field compared.
        field: Field,
        /// The operator.
        op: CompareOp,
        /// The value on the right.
        value: Literal,
    },
    /// The field equals one of the values.
    In {
        /// The field tested.
        field: Field,
        /// The values it may equal.
        values: Vec<Literal>,
    },
    /// The field is truthy: a true bool, a number other than 0, a non-empty
    /// string (`field-truthy`).
    Truthy(Field),
}

impl CompareOp {
    /// The operator in `.route` syntax.
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }

    /// Whether `left op right` holds.
    #[inline]
    pub fn holds<T: PartialOrd + ?Sized>(self, left: &T, right: &T) -> bool {
        match self {
            CompareOp::Eq => left == right,
            CompareOp::Ne => left != right,
            CompareOp::Lt => left < right,
            CompareOp::Le => left <= right,
            CompareOp::Gt => left > right,
            CompareOp::Ge => left >= right,
        }
    }
}

impl Condition {
    /// `field op value`.
    pub fn compare(field: Field, op: CompareOp, value: impl Into<Literal>) -> Self {
        Condition::Compare {
            field,
            op,
            value: value.into(),
        }
    }

    /// `field in [values]`.
    pub fn one_of<T: Into<Literal>>(field: Field, values: impl IntoIterator<Item = T>) -> Self {
        Condition::In {
            field,
            values: values.into_iter().map(Into::into).collect(),
        }
    }

    /// The conjunction of `parts`, with nested conjunctions flattened and a
    /// single part left alone.
    pub fn all(parts: impl IntoIterator<Item = Condition>) -> Self {
        let mut flat = Vec::new();
        for part in parts {
            match part {
                Condition::And(inner) => flat.extend(inner),
                other => flat.push(other),
            }
        }
        if flat.len() == 1 {
            flat.pop().unwrap_or(Condition::True)
        } else {
            Condition::And(flat)
        }
    }

    /// The negation of `inner`.
    pub fn negate(inner: Condition) -> Self {
        Condition::Not(Box::new(inner))
    }
}

impl From<&str> for Literal {
    fn from(s: &str) -> Self {
        Literal::Str(s.to_owned())
    }
}

impl From<String> for Literal {
    fn from(s: String) -> Self {
        Literal::Str(s)
    }
}

impl From<f64> for Literal {
    fn from(x: f64) -> Self {
        Literal::Float(x)
    }
}

impl From<i64> for Literal {
    fn from(i: i64) -> Self {
        Literal::Int(i)
    }
}

impl From<bool> for Literal {
    fn from(b: bool) -> Self {
        Literal::Bool(b)
    }
}
