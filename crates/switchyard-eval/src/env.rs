//! A context as the environment atoms are evaluated in: the one semantics
//! of an atom lives in [`switchyard_check::semantics`] (docs/reference/conditions.md and
//! 4.3: every test but `has` is false when a value it reads is unset); this
//! module only reads values out of a [`Context`].

use switchyard_check::ir::{AtomKind, Subject};
use switchyard_check::semantics::{self, char_count, word_count, Env};

pub(crate) use switchyard_check::semantics::Scalar;

use crate::context::{Context, Slot};

impl Env for Context<'_> {
    /// The value of a subject, or `None` when unset. `words(F)` and
    /// `len(F)` are counted here, when a test reads them.
    #[inline]
    fn read(&self, subject: Subject) -> Option<Scalar<'_>> {
        match subject {
            Subject::Field(f) => match self.slot(f) {
                Slot::Unset => None,
                Slot::Bool(b) => Some(Scalar::Bool(b)),
                Slot::Int(i) => Some(Scalar::Int(i)),
                Slot::Float(x) => Some(Scalar::Float(x)),
                Slot::Str(s, _) => Some(Scalar::Str(s)),
                owned @ Slot::Owned(..) => self.text(owned).map(|(s, _)| Scalar::Str(s)),
                Slot::Enum(e) => Some(Scalar::Enum(e)),
            },
            Subject::Words(f) => self
                .text(self.slot(f))
                .map(|(s, _)| Scalar::Int(word_count(s))),
            Subject::Len(f) => self
                .text(self.slot(f))
                .map(|(s, _)| Scalar::Int(char_count(s))),
            Subject::Hour => Some(Scalar::Int(self.hour())),
            Subject::Weekday => Some(Scalar::Enum(self.weekday_index())),
        }
    }
}

/// The value of a subject in `ctx`, or `None` when unset.
#[inline]
pub(crate) fn read<'c>(ctx: &'c Context<'_>, subject: Subject) -> Option<Scalar<'c>> {
    ctx.read(subject)
}

/// Whether `atom` holds for `ctx`.
#[inline]
pub(crate) fn eval(atom: &AtomKind, ctx: &Context<'_>) -> bool {
    semantics::holds(atom, ctx)
}
